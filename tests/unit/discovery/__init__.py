"""Unit tests of discovery: creators, importing, fit, search and its index cache."""
