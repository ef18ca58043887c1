"""Engagement: reaching users through templates, channels, consent and lifecycle journeys."""
