"""The daily fee run: every flat fee and retainer month due by today, in every brand, recorded once as a
cost accrual (starling.conversions.fees). A schedule invokes it; running it again records nothing more."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.conversions.fees import ContractFees
from starling.shared.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    recorded = ContractFees.from_env().accrue_all()
    metrics.add_metric(name="FeesAccrued", unit="Count", value=len(recorded))
    return {"recorded": len(recorded)}
