"""Conversion funnels: how many people go through 2 to 20 steps within a time window."""
