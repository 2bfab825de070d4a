"""The brand API's routers, one module per area of design.md's API table."""
