"""What a partner earned, read from the capabilities below payouts and put in the statements' terms:
commissions and their refunds (conversions), CPC earnings (the partner's months in conversions), and the
retainer and flat fee of the terms in force (contracts). Pure translation; the reads are the caller's.

Per-post fees come from approved deliverables, which are not recorded yet: `accrual_earning` takes them
as `Accrual`s once they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from starling.contracts.model import AGREED, Contract, terms_in_force
from starling.conversions.model import Accrual, PartnerMonth, month_bounds
from starling.conversions.service import Conversion, flat_fee_due, retainer_for_month
from starling.payouts.statements import CommissionDue, Earning, Refund, accrual_earning

MAX_MONTHS_BACK = 24  # retainers and CPC are looked for this far back from the period


def commission_due(conversion: Conversion) -> CommissionDue | None:
    c = conversion.commission
    if c is None or conversion.attribution.partner_id is None:
        return None
    refunds = tuple(Refund(r.refund_id, r.reversal, r.at.date()) for r in conversion.refunds)
    return CommissionDue(
        conversion.commission_id, c.currency, c.amount, c.approves_on, conversion.state.value, refunds
    )


def months_through(first: date, period: str) -> list[str]:
    """The months from `first`'s to `period`, at most MAX_MONTHS_BACK of them, oldest first."""
    year, month = int(period[:4]), int(period[5:7])
    months = []
    for _ in range(MAX_MONTHS_BACK):
        if (year, month) < (first.year, first.month):
            break
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def terms_earnings(
    versions: Sequence[Contract], period: str, partner_month: Callable[[str], PartnerMonth]
) -> list[Earning]:
    """Retainers (the terms in force at each month's end), flat fees due by the period's end and CPC
    earnings of each month, from the first agreed contract's month to the period."""
    agreed = [c for c in versions if c.status in AGREED]
    if not agreed:
        return []
    first = min(c.starts_on for c in agreed)
    through = month_bounds(period)[1]
    earnings: list[Earning] = []
    fees_seen: set[str] = set()
    for month in months_through(first, period):
        end = month_bounds(month)[1]
        terms = terms_in_force(agreed, end)
        if terms is None:
            continue
        if terms.retainer_monthly is not None:
            accrual = retainer_for_month(terms.retainer_monthly, terms.currency, month)
            if accrual is not None:
                earnings.extend(_earning(f"retainer:{month}", accrual))
        if terms.cpc is not None:
            cpc = partner_month(month).cpc
            if cpc:
                earnings.append(
                    Earning(f"cpc:{month}", "cpc", terms.currency, cpc, end, f"CPC earnings of {month}")
                )
    for contract in agreed:
        fee = contract.terms.flat_fee
        if fee is None:
            continue
        accrual = flat_fee_due(fee, contract.terms.currency, through)
        source = f"flat_fee:{fee.due_on.isoformat()}"
        if accrual is not None and source not in fees_seen:  # an amendment repeating the fee pays it once
            fees_seen.add(source)
            earnings.extend(_earning(source, accrual))
    return earnings


def _earning(source_id: str, accrual: Accrual) -> Iterable[Earning]:
    earning = accrual_earning(source_id, accrual)
    return () if earning is None else (earning,)


def min_payouts(versions: Sequence[Contract], period: str) -> dict[str, int]:
    """The partner's minimum payout per currency, from the terms in force at the period's end."""
    terms = terms_in_force(versions, month_bounds(period)[1])
    if terms is None or not terms.min_payout:
        return {}
    return {terms.currency: terms.min_payout}
