"""Reports: click figures per link, partner, campaign, day or hour (JSON, or CSV with Accept: text/csv)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.identity.model import Area
from starling.links.counters import DynamoClickCounterRepository
from starling.links.repository import DynamoLinkRepository
from starling.recruiting.repository import DynamoPartnerRepository
from starling.reports import service as reports

router = CapabilityRouter("Reports")


class ReportRowOut(BaseModel):
    key: str = Field(description="The slug, partner id, campaign id, day or hour of the row")
    destination_url: str | None = Field(default=None, description="By link: where the link goes")
    clicks: int
    unique_clicks: int
    bot_clicks: int
    flagged_clicks: int
    partner_id: str | None = None
    partner_handle: str | None = Field(default=None, description="By link or partner: the partner's handle")
    partner_name: str | None = Field(default=None, description="By link or partner: the partner's name")
    campaign_id: str | None = None


@router.get(
    "/v1/reports",
    summary="Clicks, unique clicks, bot and flagged clicks grouped over a date range",
    description=(
        "Narrow a report to one partner, campaign or link with `partner_id`, `campaign_id` and `link` "
        "(together they all apply). Rows by link or partner name the partner beside its id; rows by link "
        "give the destination beside the slug. `Accept: text/csv` answers CSV with the same columns."
    ),
)
@requires(Area.REPORTS)
def handle_report(
    group_by: Annotated[str, Query(max_length=20)] = "link",
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
    partner_id: Annotated[str | None, Query(max_length=80, description="Only this partner's links")] = None,
    campaign_id: Annotated[str | None, Query(max_length=80, description="Only this campaign's links")] = None,
    link: Annotated[str | None, Query(max_length=80, description="Only this link (its slug)")] = None,
) -> Any:
    caller = principal(router)
    only = reports.ReportFilter.of(partner_id, campaign_id, link)
    found = reports.report(
        DynamoClickCounterRepository(),
        DynamoPartnerRepository(),
        DynamoLinkRepository(),
        caller.brand_id,
        group_by,
        from_,
        to,
        only,
    )
    if "text/csv" in (router.current_event.headers.get("accept") or ""):
        filename = f"report-{group_by}-{found.start}-{found.end}.csv"
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=found.as_csv(),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return {
        "group_by": found.group_by,
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "rows": [
            ReportRowOut.model_validate(row, from_attributes=True).model_dump(exclude_none=True)
            for row in found.rows
        ],
        "totals": found.totals,
    }
