"""Segment membership as users publishes it: the read model bulk grants reach segments by."""
