"""Pricing: list, sale and cost prices per SKU, scheduled changes, history, the margin guard."""
