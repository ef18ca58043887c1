"""Membership tiers by rolling 12-month spend, with their benefits."""
