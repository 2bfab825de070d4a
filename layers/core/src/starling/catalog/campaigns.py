"""Campaigns: a program's push with dates, a budget and the default terms partners who join it get.

A campaign moves draft -> active -> ended (or draft -> ended, when it never ran); an ended campaign stays
ended. Its budget and its default terms are in one currency. Links name the campaign they belong to, which
must be one of the brand's (links checks it through `CampaignRepository.get`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from starling.shared.errors import Conflict, Invalid
from starling.shared.ids import new_id
from starling.shared.money import Money
from starling.shared.terms import Terms, parse_terms

CAMPAIGN_ID_PREFIX = "cmp"
MAX_CAMPAIGN_NAME = 200
MAX_BUDGET = 10_000_000_000
_CAMPAIGN_ID_RE = re.compile(r"^cmp_[a-z0-9]{16}$")
CAMPAIGN_FIELDS = ("name", "starts_on", "ends_on", "budget", "default_terms", "status")


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    ENDED = "ended"


MOVES: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ENDED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.ENDED}),
    CampaignStatus.ENDED: frozenset(),
}


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    brand_id: str
    name: str
    starts_on: date
    status: CampaignStatus
    created_at: datetime
    updated_at: datetime
    ends_on: date | None = None
    budget: Money | None = None
    default_terms: Terms | None = None


class CampaignRepository(Protocol):
    def create(self, campaign: Campaign) -> None: ...
    def get(self, brand_id: str, campaign_id: str) -> Campaign: ...
    def list_page(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Campaign], str | None]: ...
    def save(self, campaign: Campaign, before: CampaignStatus) -> None: ...


def looks_like_campaign_id(value: str) -> bool:
    return bool(_CAMPAIGN_ID_RE.match(value))


def _date(value: Any, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(f"{field} is a date, YYYY-MM-DD.", {field: "not a date"}) from exc


def _budget(value: Any) -> Money | None:
    if value is None:
        return None
    if isinstance(value, Money):
        return value
    from starling.catalog.model import validate_price

    money = validate_price(value)
    if money is not None and money.amount > MAX_BUDGET:
        raise Invalid("budget.amount is too large.", {"budget.amount": "out of range"})
    return money


def _checked(campaign: Campaign) -> Campaign:
    name = campaign.name.strip()
    if not name or len(name) > MAX_CAMPAIGN_NAME or not name.isprintable():
        raise Invalid(f"name is 1 to {MAX_CAMPAIGN_NAME} printable characters.", {"name": "invalid"})
    if campaign.ends_on is not None and campaign.ends_on < campaign.starts_on:
        raise Invalid("ends_on is on or after starts_on.", {"ends_on": campaign.ends_on.isoformat()})
    terms, budget = campaign.default_terms, campaign.budget
    if terms is not None and budget is not None and terms.currency != budget.currency:
        raise Invalid(
            f"The budget is in {budget.currency} but the default terms pay in {terms.currency}.",
            {"budget.currency": budget.currency, "default_terms.currency": terms.currency},
        )
    return replace(campaign, name=name)


def _refuse_unknown(fields: Mapping[str, Any]) -> None:
    unknown = sorted(set(fields) - set(CAMPAIGN_FIELDS))
    if unknown:
        raise Invalid(
            f"A campaign has no field {', '.join(unknown)}.", dict.fromkeys(unknown, "unknown field")
        )


def new_campaign(brand_id: str, fields: Mapping[str, Any], now: datetime) -> Campaign:
    _refuse_unknown(fields)
    status = CampaignStatus(fields.get("status") or CampaignStatus.DRAFT)
    if status is CampaignStatus.ENDED:
        raise Invalid("A new campaign is draft or active.", {"status": status.value})
    terms = fields.get("default_terms")
    return _checked(
        Campaign(
            campaign_id=new_id(CAMPAIGN_ID_PREFIX),
            brand_id=brand_id,
            name=str(fields.get("name") or ""),
            starts_on=_date(fields.get("starts_on"), "starts_on"),
            ends_on=_date(fields["ends_on"], "ends_on") if fields.get("ends_on") is not None else None,
            budget=_budget(fields.get("budget")),
            default_terms=parse_terms(terms, "default_terms") if terms is not None else None,
            status=status,
            created_at=now,
            updated_at=now,
        )
    )


def apply_campaign_changes(campaign: Campaign, changes: Mapping[str, Any], now: datetime) -> Campaign:
    """A merge patch: fields not sent stay; null clears ends_on, budget or default_terms."""
    _refuse_unknown(changes)
    for field in ("name", "starts_on", "status"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be cleared.", {field: "required"})
    updates: dict[str, Any] = {"updated_at": now}
    if "name" in changes:
        updates["name"] = str(changes["name"])
    if "starts_on" in changes:
        updates["starts_on"] = _date(changes["starts_on"], "starts_on")
    if "ends_on" in changes:
        updates["ends_on"] = None if changes["ends_on"] is None else _date(changes["ends_on"], "ends_on")
    if "budget" in changes:
        updates["budget"] = _budget(changes["budget"])
    if "default_terms" in changes:
        terms = changes["default_terms"]
        updates["default_terms"] = None if terms is None else parse_terms(terms, "default_terms")
    if "status" in changes:
        target = CampaignStatus(changes["status"])
        if target is not campaign.status and target not in MOVES[campaign.status]:
            raise Conflict(
                f"A campaign that is {campaign.status.value} cannot become {target.value}.",
                {"status": campaign.status.value, "allowed": sorted(s.value for s in MOVES[campaign.status])},
            )
        updates["status"] = target
    return _checked(replace(campaign, **updates))
