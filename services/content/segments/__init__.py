"""Segments: which users' segments (a read model of users' segment events), for cold start."""
