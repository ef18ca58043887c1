"""Signing keys: the RSA keys that sign access tokens, their rotation and the JWKS."""
