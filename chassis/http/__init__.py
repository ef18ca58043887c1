"""HTTP mechanics: the service app factory, problem+json errors, request context, probes."""
