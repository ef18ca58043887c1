"""Customer reviews of SKUs, verified against the purchases that orders announce."""
