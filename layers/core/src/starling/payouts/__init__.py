"""Payouts: the ledger that records every money movement, the payment providers that move the money, and
the monthly run that turns what partners earned into paid statements."""
