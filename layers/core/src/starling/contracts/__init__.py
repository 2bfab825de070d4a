"""Contracts: templates, versioned contracts with their signing workflow and evidence, amendments."""
