"""Onboarding's nested contract: the onboarding state machine invokes this function with
`lambda:invoke.waitForTaskToken` and `{"brand_id", "partner_id", "parent_task_token"}`. It offers the
partner the brand's default template with its default terms and starts a contract-signing execution named
after the contract, carrying the parent's token; when that execution ends, its last state answers the
parent (SendTaskSuccess with `{"contract_id", "status": "active"}`, or SendTaskFailure with
`ContractDeclined` / `ContractExpired`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.contracts.service import ContractsService
from starling.shared.observability import logger, metrics, tracer

ACTOR = "workflow:onboarding"


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    contract = ContractsService.from_settings().start_contract(
        event["brand_id"],
        event["partner_id"],
        actor=ACTOR,
        template_id=None,
        parent_task_token=event["parent_task_token"],
    )
    return {"contract_id": contract.contract_id}
