"""Accounts: registration, credentials, passwords and the seeded admin."""
