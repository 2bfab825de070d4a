"""Catalog: the brand's products (and, next, campaigns)."""
