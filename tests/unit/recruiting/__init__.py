"""Unit tests of recruiting."""
