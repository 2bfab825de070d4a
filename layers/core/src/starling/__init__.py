"""Starling's shared layer: the domain, data access and integrations that every function uses."""
