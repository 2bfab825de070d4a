"""Statements by hand-worked examples (minor units of USD unless said): the lines a period takes, the
carry below the minimum payout, and a negative balance carried after a refund that followed a payout."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from starling.conversions.model import Accrual
from starling.payouts.ledger import TxnKind
from starling.payouts.statements import (
    CommissionDue,
    Earning,
    Refund,
    accrual_earning,
    build_statements,
    carried_after,
    commission_earnings,
    line_transaction,
    period_end,
    totals_by_currency,
)

OCT = "2026-10"
OCT_31 = date(2026, 10, 31)


def commission(
    cid: str, amount: int, approves_on: date, state: str = "accrued", *refunds: Refund
) -> CommissionDue:
    return CommissionDue(cid, "USD", amount, approves_on, state, tuple(refunds))


def test_a_period_takes_commissions_whose_lock_ended_by_its_last_day() -> None:
    """Given commissions approving on Oct 12, Oct 31 and Nov 1, one on hold and one rejected: October's
    statement takes the first two (1,200 + 800 = 2,000) and shows the held one apart."""
    due, held = commission_earnings(
        [
            commission("com_a", 1_200, date(2026, 10, 12)),
            commission("com_b", 800, OCT_31),
            commission("com_c", 500, date(2026, 11, 1)),
            commission("com_d", 900, date(2026, 10, 2), "on_hold"),
            commission("com_e", 700, date(2026, 10, 2), "rejected"),
        ],
        period_end(OCT),
    )
    [statement] = build_statements("prt_1", OCT, due, set(), {}, {})
    assert [(line.source_id, line.amount) for line in statement.lines] == [
        ("commission:com_a", 1_200),
        ("commission:com_b", 800),
    ]
    assert (statement.total, statement.status, statement.payable) == (2_000, "draft", 2_000)
    assert [(h.commission_id, h.amount) for h in held] == [("com_d", 900)]


def test_a_refund_before_the_period_end_is_a_reversal_line() -> None:
    """Given a 1,000 commission refunded by half on Oct 20 (reversal -500) and again on Nov 3 (-250):
    October states 1,000 and -500; November then states only the -250."""
    c = commission(
        "com_a", 1_000, date(2026, 10, 5), "accrued",
        Refund("r1", -500, date(2026, 10, 20)), Refund("r2", -250, date(2026, 11, 3)),
    )  # fmt: skip
    due, _ = commission_earnings([c], period_end(OCT))
    [october] = build_statements("prt_1", OCT, due, set(), {}, {})
    assert [(line.kind, line.amount) for line in october.lines] == [("commission", 1_000), ("reversal", -500)]
    assert october.total == 500

    stated = {line.source_id for line in october.lines}
    due, _ = commission_earnings([c], period_end("2026-11"))
    [november] = build_statements(
        "prt_1", "2026-11", due, stated, carried_after([replace(october, status="paid")]), {}
    )
    assert [(line.source_id, line.amount) for line in november.lines] == [("reversal:com_a:r2", -250)]
    assert (november.total, november.status) == (-250, "carried_forward")


def test_below_the_minimum_payout_the_amount_carries_forward_and_the_statement_says_so() -> None:
    """Given a minimum payout of 5,000: October's 3,000 carries; November's 2,500 plus the 3,000 carried is
    5,500, paid."""
    october_due = [Earning("commission:com_a", "commission", "USD", 3_000, date(2026, 10, 9), "commission")]
    [october] = build_statements("prt_1", OCT, october_due, set(), {}, {"USD": 5_000})
    assert (october.status, october.payable, october.total) == ("carried_forward", 0, 3_000)
    assert october.carry_reason == "below the minimum payout of 5000"

    november_due = [
        *october_due,
        Earning("commission:com_b", "commission", "USD", 2_500, date(2026, 11, 2), ""),
    ]
    stated = {line.source_id for line in october.lines}
    [november] = build_statements(
        "prt_1", "2026-11", november_due, stated, carried_after([october]), {"USD": 5_000}
    )
    assert [(line.kind, line.amount) for line in november.lines] == [
        ("carried_balance", 3_000),
        ("commission", 2_500),
    ]
    assert (november.status, november.payable, november.carried_in) == ("draft", 5_500, 3_000)


def test_a_negative_balance_is_carried_and_taken_off_the_next_statement() -> None:
    """Given October paid 4,000, then a refund in November took back 1,500 and nothing else was earned:
    November is -1,500 and carries; December's 6,000 pays 4,500."""
    refund = Earning("reversal:com_a:r1", "reversal", "USD", -1_500, date(2026, 11, 8), "refund")
    carried = carried_after(build_statements("prt_1", "2026-11", [refund], set(), {}, {}))
    assert carried == {"USD": -1_500}
    december_due = [Earning("commission:com_b", "commission", "USD", 6_000, date(2026, 12, 3), "commission")]
    [december] = build_statements("prt_1", "2026-12", december_due, set(), carried, {"USD": 1_000})
    assert [(line.kind, line.amount) for line in december.lines] == [
        ("carried_balance", -1_500),
        ("commission", 6_000),
    ]
    assert (december.status, december.payable) == ("draft", 4_500)


def test_accruals_become_their_lines_and_gifts_never_do() -> None:
    """Given a CPC accrual of 750, a per-post fee of 5,000, a retainer prorated to 19,355 (20 of 31 days of
    30,000), a flat fee of 20,000 and a gift worth 4,500, all due in October: the statement is 45,105."""
    accruals = [
        ("cpc:2026-10", Accrual("cpc", 750, "USD", OCT_31, "150 billable clicks at 5 each")),
        ("per_post:del_1", Accrual("per_post", 5_000, "USD", date(2026, 10, 4), "post 1 of 3")),
        ("retainer:ctr_1:2026-10", Accrual("retainer_monthly", 19_355, "USD", OCT_31, "20 of 31 days")),
        ("flat_fee:ctr_1:2026-10-01", Accrual("flat_fee", 20_000, "USD", date(2026, 10, 1), "flat fee")),
        ("gift:prd_1", Accrual("gifting", 4_500, "USD", date(2026, 10, 1), "gift of prd_1")),
    ]  # fmt: skip
    due = [e for source, a in accruals if (e := accrual_earning(source, a)) is not None]
    [statement] = build_statements("prt_1", OCT, due, set(), {}, {})
    assert [line.kind for line in statement.lines] == ["flat_fee", "per_post_fee", "cpc", "retainer"]
    assert statement.total == 750 + 5_000 + 19_355 + 20_000 == 45_105


def test_an_item_is_stated_once() -> None:
    """Given a commission stated in October: November's statement does not take it again."""
    due = [Earning("commission:com_a", "commission", "USD", 3_000, date(2026, 10, 9), "commission")]
    assert build_statements("prt_1", "2026-11", due, {"commission:com_a"}, {"USD": 0}, {}) == []


def test_each_currency_has_its_own_statement_and_minimum() -> None:
    """Given 6,000 USD (minimum 5,000) and 40 EUR (minimum 1,000): USD pays, EUR carries; the run's totals
    say so per currency."""
    due = [
        Earning("commission:com_a", "commission", "USD", 6_000, date(2026, 10, 9), ""),
        Earning("commission:com_b", "commission", "EUR", 40, date(2026, 10, 9), ""),
    ]
    eur, usd = build_statements("prt_1", OCT, due, set(), {}, {"USD": 5_000, "EUR": 1_000})
    assert (eur.currency, eur.status, usd.currency, usd.status) == ("EUR", "carried_forward", "USD", "draft")
    assert list(totals_by_currency([eur, usd])) == [("EUR", 0, 40), ("USD", 6_000, 0)]


def test_a_failed_or_excluded_statement_carries_its_total_and_a_paid_one_nothing() -> None:
    """Given three earlier statements of 2,000: paid leaves 0; failed or excluded leaves 2,000."""
    [s] = build_statements(
        "prt_1", OCT, [Earning("commission:x", "commission", "USD", 2_000, OCT_31, "")], set(), {}, {}
    )
    assert carried_after([replace(s, status="paid")]) == {"USD": 0}
    assert carried_after([replace(s, status="failed")]) == {"USD": 2_000}
    assert carried_after([replace(s, status="excluded")]) == {"USD": 2_000}


def test_each_stated_line_is_one_ledger_transaction_named_by_its_event() -> None:
    """Given a commission of 1,200, its reversal of -500, a CPC line of 750 and a carried balance: the
    commission and the CPC accrue (partner +, expense -), the reversal takes back 500, the carry makes
    nothing (it is on the ledger already)."""
    commission_line = Earning("commission:com_a", "commission", "USD", 1_200, OCT_31, "")
    reversal_line = Earning("reversal:com_a:r1", "reversal", "USD", -500, OCT_31, "")
    cpc_line = Earning("cpc:2026-10", "cpc", "USD", 750, OCT_31, "")
    carried = Earning("carried", "carried_balance", "USD", 3_000, OCT_31, "")

    accrue = line_transaction("brd_1", "prt_1", commission_line)
    reverse = line_transaction("brd_1", "prt_1", reversal_line)
    cpc = line_transaction("brd_1", "prt_1", cpc_line)

    assert accrue is not None and reverse is not None and cpc is not None
    assert (accrue[0], accrue[2]) == ("commission#com_a#accrue", TxnKind.ACCRUAL)
    assert [(p.account, p.amount) for p in accrue[1]] == [
        ("partner:brd_1:prt_1", 1_200),
        ("brand:brd_1:expense", -1_200),
    ]
    assert (reverse[0], reverse[2]) == ("reversal#com_a#r1#reverse", TxnKind.REVERSAL)
    assert [(p.account, p.amount) for p in reverse[1]] == [
        ("partner:brd_1:prt_1", -500),
        ("brand:brd_1:expense", 500),
    ]
    assert cpc[0] == "prt_1#cpc#2026-10#accrue"
    assert line_transaction("brd_1", "prt_1", carried) is None
