"""Payouts: the monthly-payout state machine and its schedule."""
