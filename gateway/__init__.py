"""The API gateway: the one door for storefronts, partners and the ops console."""
