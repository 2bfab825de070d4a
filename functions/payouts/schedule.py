"""The monthly schedule's target: start every brand's payout run for the month before (a brand whose run
started already, through the API or the AWS CLI, keeps it)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.payouts.service import PayoutsService
from starling.shared.observability import logger, metrics, tracer


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"started": PayoutsService.from_settings().start_scheduled()}
