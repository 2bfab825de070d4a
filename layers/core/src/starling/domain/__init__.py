"""Business rules as plain Python: no AWS, no I/O."""
