"""The contract-signing state machine's Lambda tasks: one action per Task state, each a call to a step of
starling.contracts.signing. A step that fails raises; the state machine's Retry and Catch decide."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.contracts.service import ContractsService
from starling.contracts.signing import SigningSteps
from starling.shared.observability import logger, metrics, tracer


def _steps() -> SigningSteps:
    return SigningSteps(ContractsService.from_settings())


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action, brand_id, contract_id = event["action"], event["brand_id"], event["contract_id"]
    logger.append_keys(contract_id=contract_id, action=action)
    steps = _steps()
    if action == "render":
        parent = (event.get("execution_input") or {}).get("parent_task_token")
        return steps.render(brand_id, contract_id, parent)
    if action == "send_for_signature":
        steps.send_for_signature(brand_id, contract_id, event["task_token"])
        return {}
    if action == "await_countersignature":
        steps.await_countersignature(brand_id, contract_id, event["task_token"])
        return {}
    if action == "activate":
        return steps.activate(brand_id, contract_id)
    if action == "expire":
        return steps.expire(brand_id, contract_id)
    if action == "report":
        return steps.report(brand_id, contract_id)
    raise ValueError(f"unknown action {action!r}")
