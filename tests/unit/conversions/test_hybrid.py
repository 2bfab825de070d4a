"""A hybrid of every compensation model over one month, worked by hand (minor units of USD)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from starling.conversions.accruals import (
    accrue_cpc,
    flat_fee_due,
    gift_cost,
    per_post_fee,
    retainer_for_month,
)
from starling.conversions.engine import price_order, reverse_commission
from starling.conversions.model import Accrual, Commission, CommissionRules, PartnerMonth, Reversal
from starling.shared.terms import parse_terms

HYBRID = parse_terms(
    {
        "currency": "USD",
        "cpa_percent": "10",
        "cpa_fixed": 500,
        "cpc": 5,
        "per_post": {"amount": 5_000, "posts": 3},
        "flat_fee": {"amount": 20_000, "due_on": "2026-12-01"},
        "retainer_monthly": {"amount": 31_000, "starts_on": "2026-12-10"},
        "gifting": [{"product_id": "prd_boots", "value": 4_500}],
        "tiers": [{"from": 0, "cpa_percent": "10"}, {"from": 500_000, "cpa_percent": "15"}],
        "cap": 100_000,
        "lock_days": 30,
    }
)


def at(day: int) -> datetime:
    return datetime(2026, 12, day, 12, 0, tzinfo=UTC)


def test_a_month_of_a_hybrid_contract_pays_every_part_by_its_own_rule() -> None:
    """Given the hybrid terms above and a December with:
    - 3 Dec, order A of $3,000: 10% of 300,000 = 30,000, + 500 fixed = 30,500 (month: sales 300,000).
    - 10 Dec, order B of $3,000 crosses the $5,000 tier: 200,000 at 10% = 20,000 and 100,000 at 15%
      = 15,000, + 500 = 35,500 (sales 600,000; CPA 66,000).
    - 15 Dec, 4,000 billable clicks x 5 = 20,000 CPC (capped total 86,000 of 100,000).
    - 20 Dec, order C of $2,000, all at 15%: 30,000 + 500 = 30,500, but the cap leaves 14,000: it earns
      14,000 and 16,500 is cut (CPA 80,000 + CPC 20,000 = the cap).
    - 28 Dec, half of order A refunded: 30,500 x 150,000 / 300,000 = 15,250 reversed (CPA 64,750).
    - 31 Dec, clicks reach 5,000: 1,000 more x 5 = 5,000, inside the 15,250 the refund freed (CPC 25,000).
    - 4 posts approved: 3 x 5,000 = 15,000; the 4th earns nothing.
    - the flat fee, due 1 Dec: 20,000.
    - the retainer from 10 Dec: 22 of 31 days of 31,000 = 22,000.
    - boots gifted: 4,500, a cost, not payable.
    Payable: CPA 30,500 + 35,500 + 14,000 - 15,250 = 64,750; CPC 25,000; fees 15,000 + 20,000 + 22,000
    = 57,000; in all 146,750. The brand's cost adds the gift: 151,250. Under the cap: 64,750 + 25,000
    = 89,750 <= 100,000."""
    rules = CommissionRules.of(HYBRID)
    month = PartnerMonth.starting(at(1))
    lines: list[Commission | Reversal | Accrual] = []

    order_a, month = price_order(rules, month, 300_000, at(3))
    order_b, month = price_order(rules, month, 300_000, at(10))
    clicks_15, month = accrue_cpc(rules, month, 4_000, at(15).date())
    order_c, month = price_order(rules, month, 200_000, at(20))
    refund_a = reverse_commission(order_a.amount, 300_000, 0, 150_000)
    month = month.after_reversal(150_000, refund_a)
    clicks_31, month = accrue_cpc(rules, month, 5_000, at(31).date())
    assert clicks_15 is not None and clicks_31 is not None
    lines += [order_a, order_b, clicks_15, order_c, refund_a, clicks_31]

    assert HYBRID.per_post and HYBRID.flat_fee and HYBRID.retainer_monthly
    posts = [per_post_fee(HYBRID.per_post, "USD", n, at(16 + n).date()) for n in range(4)]
    lines += [post for post in posts if post is not None]
    flat = flat_fee_due(HYBRID.flat_fee, "USD", at(31).date())
    retainer = retainer_for_month(HYBRID.retainer_monthly, "USD", "2026-12")
    assert flat is not None and retainer is not None
    lines += [flat, retainer, gift_cost(HYBRID.gifting[0], "USD", at(5).date())]

    assert [(p.basis, p.amount) for p in order_b.parts] == [
        (200_000, 20_000),
        (100_000, 15_000),
        (300_000, 500),
    ]
    assert (order_a.amount, order_b.amount) == (30_500, 35_500)
    assert (order_c.gross, order_c.amount, order_c.cut) == (30_500, 14_000, 16_500)
    assert refund_a.amount == -15_250
    assert (clicks_15.amount, clicks_31.amount, clicks_31.cut) == (20_000, 5_000, 0)
    assert [post.amount if post else None for post in posts] == [5_000, 5_000, 5_000, None]
    assert (flat.amount, retainer.amount) == (20_000, 22_000)
    assert month == PartnerMonth("2026-12", sales=650_000, commission=64_750, cpc=25_000, clicks=5_000)

    payable = sum(line.amount for line in lines if not isinstance(line, Accrual) or line.payable)
    cost = sum(line.amount for line in lines)
    assert (payable, cost) == (146_750, 151_250)
    assert month.capped == 89_750 <= rules.cap  # type: ignore[operator]
    assert order_c.approves_on == date(2027, 1, 19)
