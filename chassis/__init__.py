"""The service chassis: mechanics every Flywheel service shares, and no business rules."""
