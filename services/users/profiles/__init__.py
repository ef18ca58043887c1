"""Profiles: what a customer tells about themselves, their marketing consent, operator search."""
