"""A campaign's budget over cost accruals: what fits is accrued, what would pass it is kept over budget,
the 80% warning goes once, a correction gives room back, a release lets one through. USD cents."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from starling.conversions.costs import (
    Budget,
    CampaignSpend,
    CostAccrual,
    CostKind,
    CostState,
    accrual_id_for,
    crosses_warning,
    new_accrual,
)
from starling.shared.errors import Conflict

BUDGET = Budget(10_000, "USD")
AT = datetime(2026, 12, 7, tzinfo=UTC)


def cost(
    amount: int, source: str = "s", currency: str = "USD", kind: CostKind = CostKind.PER_POST
) -> CostAccrual:
    return new_accrual(
        "brd_1", "ptn_1", "cmp_1", kind, amount, currency, date(2026, 12, 7), source, "test", AT
    )


def test_one_source_has_one_accrual_id_and_kinds_do_not_collide() -> None:
    assert accrual_id_for(CostKind.COMMISSION, "1001") == accrual_id_for(CostKind.COMMISSION, "1001")
    assert accrual_id_for(CostKind.COMMISSION, "1001") != accrual_id_for(CostKind.PER_POST, "1001")
    assert accrual_id_for(CostKind.GIFTING, "x").startswith("acr_")


def test_costs_that_fit_are_accrued_and_the_one_reaching_80_percent_warns_once() -> None:
    """Given a $100 budget: $50 fits (50%); $30 more reaches exactly 80% and warns; $20 more fills it to 100%
    without a second warning."""
    spend = CampaignSpend()
    first, spend, warn1 = spend.take(cost(5_000, "a"), BUDGET)
    second, spend, warn2 = spend.take(cost(3_000, "b"), BUDGET)
    third, spend, warn3 = spend.take(cost(2_000, "c"), BUDGET)
    assert [a.state for a in (first, second, third)] == [CostState.ACCRUED] * 3
    assert (warn1, warn2, warn3) == (False, True, False)
    assert spend == CampaignSpend(committed=10_000, over=0, warned=True)


def test_a_cost_that_would_pass_the_budget_is_kept_whole_over_budget_and_not_payable() -> None:
    """Given $90 committed of $100: $20 would pass it, so it is kept over budget (whole, not split); a later
    $10 still fits exactly."""
    spend = CampaignSpend(committed=9_000, warned=True)
    over, spend, _ = spend.take(cost(2_000, "a"), BUDGET)
    fits, spend, _ = spend.take(cost(1_000, "b"), BUDGET)
    assert over.state is CostState.OVER_BUDGET and not over.payable
    assert fits.state is CostState.ACCRUED and fits.payable
    assert spend == CampaignSpend(committed=10_000, over=2_000, warned=True)


def test_a_cost_kept_over_budget_before_80_percent_of_it_is_spent_still_warns() -> None:
    """Given $10 committed of $100, a $500 cost goes over budget: the demand on the budget is past 80%."""
    kept, spend, warn = CampaignSpend(committed=1_000).take(cost(50_000), BUDGET)
    assert kept.state is CostState.OVER_BUDGET and warn and spend.warned


def test_a_correction_gives_committed_room_back_and_one_of_an_over_budget_cost_takes_from_over() -> None:
    spend = CampaignSpend(committed=10_000, over=3_000, warned=True)
    back, spend, _ = spend.take(cost(-4_000, "refund"), BUDGET, corrects=CostState.ACCRUED)
    assert back.state is CostState.ACCRUED and spend.committed == 6_000
    over_back, spend, _ = spend.take(cost(-1_000, "refund2"), BUDGET, corrects=CostState.OVER_BUDGET)
    assert over_back.state is CostState.OVER_BUDGET and spend == CampaignSpend(6_000, 2_000, True)


def test_a_budget_in_another_currency_or_none_bounds_nothing() -> None:
    for budget in (None, Budget(100, "EUR")):
        kept, spend, warn = CampaignSpend().take(cost(5_000), budget)
        assert kept.state is CostState.ACCRUED and spend.committed == 5_000 and not warn


def test_a_zero_budget_keeps_every_cost_over_it_and_warns() -> None:
    kept, spend, warn = CampaignSpend().take(cost(1), Budget(0, "USD"))
    assert kept.state is CostState.OVER_BUDGET and warn and spend.over == 1


def test_a_manager_releases_an_over_budget_cost_into_committed_spend_once() -> None:
    spend = CampaignSpend(committed=10_000, over=2_000, warned=True)
    kept, _, _ = CampaignSpend(committed=10_000, warned=True).take(cost(2_000), BUDGET)
    released, after = spend.release(kept, "manager:key_1")
    assert (
        released.state is CostState.RELEASED and released.payable and released.released_by == "manager:key_1"
    )
    assert after == CampaignSpend(committed=12_000, over=0, warned=True)
    with pytest.raises(Conflict):
        after.release(released, "manager:key_1")


def test_a_gift_is_a_cost_never_payable() -> None:
    assert not cost(4_500, kind=CostKind.GIFTING).payable


@pytest.mark.parametrize(
    ("demand", "budget", "crosses"),
    [(7_999, 10_000, False), (8_000, 10_000, True), (4, 5, True), (3, 5, False), (0, 0, False), (1, 0, True)],
)
def test_the_warning_threshold_is_exactly_80_percent_in_integers(
    demand: int, budget: int, crosses: bool
) -> None:
    assert crosses_warning(demand, budget) is crosses


@given(
    budget=st.integers(min_value=0, max_value=100_000),
    amounts=st.lists(st.integers(min_value=1, max_value=30_000), max_size=40),
)
def test_committed_spend_never_passes_the_budget_and_the_warning_goes_at_most_once(
    budget: int, amounts: list[int]
) -> None:
    """Under any sequence of costs: what is accrued never passes the budget, nothing is lost (accrued plus
    over budget is everything recorded), and the warning goes once exactly when the demand reaches 80%."""
    spend, warnings, accrued = CampaignSpend(), 0, 0
    for i, amount in enumerate(amounts):
        kept, spend, warn = spend.take(cost(amount, str(i)), Budget(budget, "USD"))
        warnings += warn
        accrued += amount if kept.state is CostState.ACCRUED else 0
    assert spend.committed == accrued <= budget
    assert spend.committed + spend.over == sum(amounts)
    assert warnings == (1 if crosses_warning(sum(amounts), budget) else 0)
