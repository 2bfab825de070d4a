"""Discovery on the local cloud: the API and the creator repository."""
