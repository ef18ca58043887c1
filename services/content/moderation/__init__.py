"""Moderation: the banned-words filter, user reports and moderators' decisions."""
