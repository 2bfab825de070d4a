"""What the payouts' functions are told by their environment: the ledger's tables and Stripe's key and
address. Read when a store or provider is made, not cached for the process as starling.shared.settings is:
the local cloud runs every function in one process, and only the payouts workflow's functions have these
variables (a first read by another function must not leave them empty for the process)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from starling.shared.settings import MissingSettings


@dataclass(frozen=True)
class PayoutsEnvironment:
    ledger_table: str
    ledger_balances_table: str
    stripe_secret_id: str
    stripe_api_base: str  # empty: Stripe's own

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> PayoutsEnvironment:
        env = os.environ if environ is None else environ
        return cls(
            ledger_table=env.get("LEDGER_TABLE_NAME", ""),
            ledger_balances_table=env.get("LEDGER_BALANCES_TABLE_NAME", ""),
            stripe_secret_id=env.get("STRIPE_SECRET_ID", ""),
            stripe_api_base=env.get("STRIPE_API_BASE", "").rstrip("/"),
        )

    def require(self, *names: str) -> PayoutsEnvironment:
        """Self, or MissingSettings naming the variables this function lacks."""
        variables = {
            "ledger_table": "LEDGER_TABLE_NAME",
            "ledger_balances_table": "LEDGER_BALANCES_TABLE_NAME",
            "stripe_secret_id": "STRIPE_SECRET_ID",
        }
        missing = [variables[n] for n in names if not getattr(self, n)]
        if missing:
            raise MissingSettings(f"Missing environment variables: {', '.join(missing)}.")
        return self
