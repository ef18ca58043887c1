"""Behaviour metrics per user kept from other services' events (the F and M of RFM)."""
