"""Logins: access tokens with rotating refresh tokens, families of one login, logout."""
