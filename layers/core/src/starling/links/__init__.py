"""Links: vanity links, the redirect, click ids and click counting."""
