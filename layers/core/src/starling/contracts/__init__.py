"""Contracts: compensation terms a program runs, contract signing, partner onboarding and the portal's access."""
