"""SKU prices as the catalog announced them: the read model campaign prices start from."""
