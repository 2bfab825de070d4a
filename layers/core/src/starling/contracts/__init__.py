"""Contracts: templates, versioned contracts with their signing workflow and evidence, amendments; and
partner onboarding with the portal's access (magic links, sessions)."""
