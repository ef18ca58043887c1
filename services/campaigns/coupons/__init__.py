"""Coupons: templates, claims by customers, the best-price quote, and locking for orders."""
