"""Suppliers, their scorecards, and the purchase orders that restock the catalog."""
