"""The links capability's infrastructure: the redirect, click capture and counting."""
