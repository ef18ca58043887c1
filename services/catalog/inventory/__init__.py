"""Inventory: stock levels per SKU, the ledger, and the reservations of the order saga."""
