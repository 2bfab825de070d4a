"""Reports: clicks, conversions, revenue and every cost per link, partner, campaign, tier or day (clicks
per hour), in JSON or in CSV with Accept: text/csv."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.conversions.figures_repository import DynamoFigureBook
from starling.conversions.rates import DynamoPartnerTiers
from starling.identity.model import Area
from starling.links.counters import DynamoClickCounterRepository
from starling.links.repository import DynamoLinkRepository
from starling.recruiting.repository import DynamoPartnerRepository
from starling.reports import money as money_reports
from starling.reports import quality
from starling.reports import service as reports

router = CapabilityRouter("Reports")


class ReportRowOut(BaseModel):
    key: str = Field(
        description="The slug (`coupon:<partner_id>` for orders by coupon), partner id, campaign id (`-`: "
        "no campaign), tier, day or hour of the row"
    )
    destination_url: str | None = Field(default=None, description="By link: where the link goes")
    clicks: int = Field(description="People's clicks: not bots, not bursts")
    unique_clicks: int
    bot_clicks: int
    flagged_clicks: int = Field(description="Clicks of a burst from one source")
    in_app_clicks: int | None = Field(
        default=None, description="Of `clicks`, those in a social app's browser"
    )
    conversions: int | None = None
    revenue: int | None = Field(default=None, description="Attributed orders less refunds, minor units")
    commission: int | None = Field(default=None, description="Commissions less reversals, minor units")
    cpc: int | None = Field(default=None, description="CPC earnings, minor units")
    flat: int | None = Field(default=None, description="Flat fees, minor units")
    per_post: int | None = Field(default=None, description="Per-post fees, minor units")
    retainer: int | None = Field(default=None, description="Retainers, minor units")
    fees: int | None = Field(default=None, description="flat + per_post + retainer")
    gifting: int | None = Field(default=None, description="The value of gifted products, minor units")
    cost: int | None = Field(default=None, description="commission + cpc + fees + gifting")
    roi: str | None = Field(default=None, description="(revenue - cost) / cost, 4 places; null at no cost")
    epc: str | None = Field(default=None, description="(commission + cpc) / clicks, minor units, 2 places")
    cvr: str | None = Field(default=None, description="conversions / clicks, 4 places")
    partners: int | None = Field(default=None, description="By tier: the brand's partners of the tier")
    partner_share: str | None = Field(default=None, description="By tier: their share of all partners")
    partner_id: str | None = None
    partner_handle: str | None = Field(default=None, description="By link or partner: the partner's handle")
    partner_name: str | None = Field(default=None, description="By link or partner: the partner's name")
    campaign_id: str | None = None


RATIOS = ("roi", "epc", "cvr")


def _money_row(row: money_reports.MoneyRow) -> dict[str, Any]:
    """A row without the fields that do not apply to it, but with its ratios even when null."""
    shown = ReportRowOut.model_validate(row.as_dict()).model_dump()
    return {name: value for name, value in shown.items() if value is not None or name in RATIOS}


@router.get(
    "/v1/reports",
    summary="Clicks, conversions, revenue, costs and their return, grouped over a date range",
    description=(
        "`group_by` is link, partner, campaign, tier, day (clicks and money) or hour (clicks only). Narrow "
        "a report to one partner, campaign or link with `partner_id`, `campaign_id` and `link` (together "
        "they all apply). Money is in one currency: the only one of the range, else the one `currency` "
        "names. By tier, each row shows the brand's partners of the tier and their share beside the tier's "
        "return. The rows add up to `totals`. `Accept: text/csv` answers CSV with the same columns."
    ),
)
@requires(Area.REPORTS)
def handle_report(
    group_by: Annotated[str, Query(max_length=20)] = "link",
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    partner_id: Annotated[str | None, Query(max_length=80, description="Only this partner's figures")] = None,
    campaign_id: Annotated[str | None, Query(max_length=80, description="Only this campaign's")] = None,
    link: Annotated[str | None, Query(max_length=80, description="Only this link (its slug)")] = None,
    currency: Annotated[str | None, Query(max_length=3, description="ISO 4217: the money's currency")] = None,
) -> Any:
    caller = principal(router)
    only = reports.ReportFilter.of(partner_id, campaign_id, link)
    out: dict[str, Any]
    if group_by == "hour":
        clicks = reports.report(
            DynamoClickCounterRepository(), DynamoPartnerRepository(), DynamoLinkRepository(),
            caller.brand_id, group_by, from_, to, only,
        )  # fmt: skip
        start, end, as_csv = clicks.start, clicks.end, clicks.as_csv
        out = {
            "rows": [
                ReportRowOut.model_validate(row, from_attributes=True).model_dump(exclude_none=True)
                for row in clicks.rows
            ],
            "totals": clicks.totals,
        }
    else:
        money = money_reports.money_report(
            DynamoClickCounterRepository(), DynamoFigureBook(), DynamoPartnerRepository(),
            DynamoLinkRepository(), DynamoPartnerTiers(), caller.brand_id, group_by, from_, to, only,
            currency,
        )  # fmt: skip
        start, end, as_csv = money.start, money.end, money.as_csv
        out = {
            "currency": money.currency,
            "rows": [_money_row(row) for row in money.rows],
            "totals": money.totals.as_dict(),
        }
    if "text/csv" in (router.current_event.headers.get("accept") or ""):
        filename = f"report-{group_by}-{start}-{end}.csv"
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=as_csv(),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return {"group_by": group_by, "from": start.isoformat(), "to": end.isoformat(), **out}


class ClickQualityOut(BaseModel):
    partner_id: str
    from_: str = Field(serialization_alias="from")
    to: str
    tier: str = Field(description="nano, micro, mid, macro, mega or unknown")
    clicks: int = Field(description="All clicks: people + bots + bursts")
    people: int = Field(description="People's clicks (billable)")
    bots: int = Field(description="Link previews and crawlers (recorded, not billable)")
    bursts: int = Field(description="Clicks past 20 a minute from one source on one link (not billable)")
    people_share: str | None
    bot_share: str | None
    burst_share: str | None
    in_app_share: str | None = Field(description="Of people's clicks, those in a social app's browser")
    unique_rate: str | None = Field(description="Of people's clicks, new visitors (one per visitor per hour)")
    conversions: int = Field(description="Orders attributed by click")
    conversion_rate: str | None = Field(description="conversions / people's clicks")
    baseline: str = Field(
        description="What the rate is compared with: the tier's other partners, or the brand's"
    )
    baseline_conversion_rate: str | None
    verdict: str = Field(description="healthy, review, suspicious or not_enough_data")
    reasons: list[str]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@router.get(
    "/v1/partners/<partner_id>/click-quality",
    summary="A partner's click quality: people, bots, bursts, in-app share, unique and conversion rates",
    description=(
        "Over `from`..`to` (the last 30 days by default, at most 366 days): the share of people, bots and "
        "bursts, the share of in-app browsers, the unique rate, the conversion rate beside the partner's "
        "tier's, and a verdict with its reasons."
    ),
)
@requires(Area.REPORTS)
def handle_click_quality(
    partner_id: str,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> ClickQualityOut:
    caller = principal(router)
    found = quality.partner_click_quality(
        DynamoPartnerRepository(), DynamoClickCounterRepository(), DynamoFigureBook(), DynamoPartnerTiers(),
        caller.brand_id, partner_id, from_, to,
    )  # fmt: skip
    return ClickQualityOut(
        partner_id=found.partner_id, from_=found.start.isoformat(), to=found.end.isoformat(), tier=found.tier,
        clicks=found.total, people=found.people, bots=found.bots, bursts=found.bursts,
        people_share=_text(found.people_share), bot_share=_text(found.bot_share),
        burst_share=_text(found.burst_share), in_app_share=_text(found.in_app_share),
        unique_rate=_text(found.unique_rate), conversions=found.conversions,
        conversion_rate=_text(found.conversion_rate), baseline=found.baseline,
        baseline_conversion_rate=_text(found.baseline_conversion_rate), verdict=found.verdict,
        reasons=list(found.reasons),
    )  # fmt: skip
