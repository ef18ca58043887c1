"""Products and their SKUs, and the listing review that puts them on sale."""
