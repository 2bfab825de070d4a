"""Discovery: creators imported by brands and the shared network, searched and ranked by fit."""
