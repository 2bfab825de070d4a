"""Conversions: orders and refunds in, attributed to partners, and what partners earn from them: the
commission engine and the accruals of the other compensation models."""
