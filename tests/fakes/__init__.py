"""In-memory fakes of the ports, one module per capability; each is checked by its port's contract test."""
