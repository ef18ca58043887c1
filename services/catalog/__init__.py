"""Product operations: categories, products and SKUs, prices, listing, inventory, suppliers."""
