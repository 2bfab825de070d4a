"""Talking to the outside world: email, payments."""
