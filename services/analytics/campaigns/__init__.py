"""Campaigns as the store knows them from the campaigns service's events, with what they sold."""
