"""Flywheel's services: one FastAPI app per operating module."""
