"""The gateway's own routes: partner administration, probes and metrics, API documentation."""
