"""Campaign rules: dates in order, one currency for budget and terms, status moves one way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from starling.catalog.campaigns import CampaignStatus, apply_campaign_changes, new_campaign
from starling.shared.errors import Conflict, Invalid

NOW = datetime(2026, 11, 29, tzinfo=UTC)
SPRING = {"name": "Spring", "starts_on": "2027-03-01", "ends_on": "2027-05-31",
          "budget": {"amount": 100000, "currency": "USD"},
          "default_terms": {"currency": "USD", "cpc": 5}}  # fmt: skip


def test_a_campaign_starts_as_a_draft_with_its_budget_and_terms() -> None:
    campaign = new_campaign("brd_a", SPRING, NOW)
    assert campaign.status is CampaignStatus.DRAFT and campaign.budget.amount == 100000  # type: ignore[union-attr]
    assert campaign.default_terms.cpc == 5  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "fields",
    [
        {"ends_on": "2027-01-01"},
        {"budget": {"amount": 1, "currency": "EUR"}},
        {"status": "ended"},
        {"name": " "},
        {"starts_on": "March"},
        {"owner": "x"},
    ],
)
def test_contradictory_campaigns_are_refused(fields: dict) -> None:
    with pytest.raises(Invalid):
        new_campaign("brd_a", {**SPRING, **fields}, NOW)


def test_status_moves_draft_to_active_to_ended_and_never_back() -> None:
    campaign = new_campaign("brd_a", SPRING, NOW)
    active = apply_campaign_changes(campaign, {"status": "active"}, NOW)
    ended = apply_campaign_changes(active, {"status": "ended"}, NOW)
    assert ended.status is CampaignStatus.ENDED
    for before, target in ((active, "draft"), (ended, "active"), (ended, "draft")):
        with pytest.raises(Conflict):
            apply_campaign_changes(before, {"status": target}, NOW)
    assert apply_campaign_changes(campaign, {"status": "ended"}, NOW).status is CampaignStatus.ENDED


def test_null_clears_the_end_the_budget_and_the_terms_but_not_the_name() -> None:
    campaign = new_campaign("brd_a", SPRING, NOW)
    cleared = apply_campaign_changes(campaign, {"ends_on": None, "budget": None, "default_terms": None}, NOW)
    assert (cleared.ends_on, cleared.budget, cleared.default_terms) == (None, None, None)
    with pytest.raises(Invalid):
        apply_campaign_changes(campaign, {"name": None}, NOW)
