"""Points: an append-only ledger per user, earned on paid orders, spent through the order
saga (held, taken, released), reversed on refunds, credited for check-ins."""
