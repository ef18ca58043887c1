"""Segments: operators' rule trees over what is known of users, one language and two evaluators."""
