"""Integration tests of recruiting, on moto."""
