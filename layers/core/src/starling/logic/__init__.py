"""Use cases: each function takes its repositories, applies the domain rules and saves the result."""
