"""Privacy: a customer's export of what this service holds about them, and their erasure
(personal data anonymized, the ledgers' sums kept, `user.erased` for the other services)."""
