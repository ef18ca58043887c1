"""Collection: storefronts report behaviour, published onto the behaviour topic."""
