"""Reports: click figures per link, partner, campaign, day or hour (JSON, or CSV with Accept: text/csv)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from starling.api.auth import principal, requires
from starling.identity.model import Area
from starling.links.counters import DynamoClickCounterRepository
from starling.reports import service as reports

router = APIGatewayHttpRouter()


class ReportRowOut(BaseModel):
    key: str
    clicks: int
    unique_clicks: int
    bot_clicks: int
    flagged_clicks: int
    partner_id: str | None = None
    campaign_id: str | None = None


@router.get("/v1/reports", summary="Clicks, unique clicks, bot and flagged clicks grouped over a date range")
@requires(Area.REPORTS)
def handle_report(
    group_by: Annotated[str, Query(max_length=20)] = "link",
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> Any:
    caller = principal(router)
    found = reports.report(DynamoClickCounterRepository(), caller.brand_id, group_by, from_, to)
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
