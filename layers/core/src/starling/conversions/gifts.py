"""Gifts: products a brand gives a partner, recorded per partner (product, value, day) as a cost accrual of
kind `gifting`: counted in the partner's cost and the campaign's budget, never paid out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starling.conversions.cost_ledger import CostLedger
from starling.conversions.costs import CostAccrual, CostKind, new_accrual
from starling.shared.errors import Invalid, NotFound
from starling.shared.ids import new_id
from starling.shared.money import parse_currency

EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class GiftIn:
    product: str
    value: int
    currency: str
    given_on: date
    product_id: str | None = None
    campaign_id: str | None = None


def record_gift(ledger: CostLedger, brand_id: str, partner_id: str, gift: GiftIn) -> CostAccrual:
    """Record a gift once (each call is a new gift; the API's Idempotency-Key guards a retried request)."""
    currency = parse_currency(gift.currency.upper())
    if gift.value <= 0:
        raise Invalid("value is a positive amount in minor units.", {"value": gift.value})
    today = ledger.now().date()
    if not EARLIEST <= gift.given_on <= today:
        raise Invalid(
            "given_on is the day the gift was given: not in the future.", {"given_on": str(gift.given_on)}
        )
    if gift.campaign_id is not None:
        try:
            ledger.spend_of(brand_id, gift.campaign_id)
        except NotFound as exc:
            raise Invalid("No such campaign.", {"campaign_id": gift.campaign_id}) from exc
    gift_id = new_id("gft")
    what = f"{gift.product} ({gift.product_id})" if gift.product_id else gift.product
    draft = new_accrual(
        brand_id,
        partner_id,
        gift.campaign_id,
        CostKind.GIFTING,
        gift.value,
        currency,
        gift.given_on,
        gift_id,
        f"gift of {what}",
        ledger.now(),
    )
    accrual, _ = ledger.record(draft)
    return accrual
