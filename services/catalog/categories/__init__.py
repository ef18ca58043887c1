"""Categories: the assortment tree and the role each category plays in it."""
