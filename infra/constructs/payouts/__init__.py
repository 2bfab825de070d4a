"""Payouts: the ledger's tables, the payment providers' credentials, the monthly-payout workflow."""
