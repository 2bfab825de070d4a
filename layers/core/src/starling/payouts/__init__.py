"""Payouts: the monthly statements, the payout run finance approves, and the workflow that pays it."""
