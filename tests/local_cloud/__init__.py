"""Tests of the local cloud itself (infra/local): not product tests."""
