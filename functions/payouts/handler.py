"""The monthly-payout state machine's Lambda tasks, one action per Task state, each a step of
starling.payouts.service; and the schedule's monthly start of every brand's run for the month before. A
step that fails raises; the state machine's Retry and Catch decide."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.payouts.service import PayoutsService, error_cause
from starling.shared.observability import logger, metrics, tracer

DEFAULT_DISTRIBUTED_ABOVE_SHARDS = 40


def _service() -> PayoutsService:
    return PayoutsService.from_settings()


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action = event["action"]
    logger.append_keys(action=action, run_id=event.get("run_id"))
    service = _service()
    brand_id = event["brand_id"]
    if action == "lock":
        found = service.lock(brand_id, event.get("period"), event["execution"])
        above = int(os.environ.get("PAYOUT_DISTRIBUTED_ABOVE_SHARDS") or DEFAULT_DISTRIBUTED_ABOVE_SHARDS)
        return {**found, "distributed": len(found["shards"]) > above}
    run_id = event["run_id"]
    if action == "build":
        return service.build(brand_id, run_id, int(event["shard"]))
    if action == "await_approval":
        service.await_approval(brand_id, run_id, event["task_token"])
        return {}
    if action == "expire":
        return service.expire(brand_id, run_id, int(event["days"]))
    if action == "approved":
        return {"statement_ids": service.approved_statements(brand_id, run_id)}
    if action == "pay":
        return service.pay(brand_id, run_id, event["statement_id"])
    if action == "complete":
        return service.complete(brand_id, run_id)
    if action == "fail":
        return service.fail(brand_id, run_id, error_cause(event.get("error")))
    raise ValueError(f"unknown action {action!r}")
