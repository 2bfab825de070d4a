"""In-memory fakes of the ports, one module per capability; each port has a contract test."""
