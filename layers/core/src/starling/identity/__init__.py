"""Identity: brands, API keys, roles, and resolving a key to its caller."""
