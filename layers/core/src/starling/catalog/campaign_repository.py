"""A brand's campaigns in DynamoDB."""

from __future__ import annotations

import json
from datetime import date

from pynamodb.exceptions import DoesNotExist, PutError

from starling.catalog.campaigns import Campaign, CampaignStatus, looks_like_campaign_id
from starling.catalog.items import CampaignItem
from starling.shared.errors import Conflict, NotFound
from starling.shared.keys import brand_list_pk, brand_pk
from starling.shared.money import Money
from starling.shared.paging import decode_cursor, encode_cursor
from starling.shared.terms import Terms

_CONDITION_FAILED = "ConditionalCheckFailedException"


def _item(c: Campaign) -> CampaignItem:
    return CampaignItem(
        pk=brand_pk(c.brand_id),
        sk=f"CAMPAIGN#{c.campaign_id}",
        gsi1pk=brand_list_pk(c.brand_id, "CAMPAIGNS"),
        gsi1sk=f"{c.created_at.isoformat()}#{c.campaign_id}",
        campaign_id=c.campaign_id,
        brand_id=c.brand_id,
        name=c.name,
        status=c.status.value,
        starts_on=c.starts_on.isoformat(),
        ends_on=c.ends_on.isoformat() if c.ends_on else None,
        budget_amount=c.budget.amount if c.budget else None,
        budget_currency=c.budget.currency if c.budget else None,
        default_terms=json.dumps(c.default_terms.as_document(), sort_keys=True) if c.default_terms else None,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _campaign(item: CampaignItem) -> Campaign:
    budget = None
    if item.budget_amount is not None and item.budget_currency is not None:
        budget = Money(int(item.budget_amount), item.budget_currency)
    return Campaign(
        campaign_id=item.campaign_id,
        brand_id=item.brand_id,
        name=item.name,
        status=CampaignStatus(item.status),
        starts_on=date.fromisoformat(item.starts_on),
        ends_on=date.fromisoformat(item.ends_on) if item.ends_on else None,
        budget=budget,
        default_terms=Terms.model_validate_json(item.default_terms) if item.default_terms else None,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


class DynamoCampaignRepository:
    def create(self, campaign: Campaign) -> None:
        _item(campaign).save(condition=CampaignItem.pk.does_not_exist())

    def get(self, brand_id: str, campaign_id: str) -> Campaign:
        """The brand's campaign; NotFound for an unknown id or another brand's."""
        if not looks_like_campaign_id(campaign_id):
            raise NotFound("No such campaign.")
        try:
            return _campaign(
                CampaignItem.get(brand_pk(brand_id), f"CAMPAIGN#{campaign_id}", consistent_read=True)
            )
        except DoesNotExist as exc:
            raise NotFound("No such campaign.") from exc

    def list_page(self, brand_id: str, limit: int, cursor: str | None) -> tuple[list[Campaign], str | None]:
        result = CampaignItem.gsi1.query(  # type: ignore[attr-defined]
            brand_list_pk(brand_id, "CAMPAIGNS"),
            limit=limit,
            scan_index_forward=False,
            last_evaluated_key=decode_cursor(cursor, brand_pk(brand_id)),
        )
        return [_campaign(item) for item in result], encode_cursor(result.last_evaluated_key)

    def save(self, campaign: Campaign, before: CampaignStatus) -> None:
        """Save if the status is still `before` (a concurrent move wins once)."""
        try:
            _item(campaign).save(condition=CampaignItem.status == before.value)
        except PutError as exc:
            if exc.cause_response_code != _CONDITION_FAILED:
                raise
            raise Conflict("The campaign changed meanwhile; read it again.") from exc
