"""The contract-signing state machine through the Step Functions API: start an execution named after the
contract (so starting twice is refused by Step Functions itself), resume a parked step with its token, or
fail it. A token Step Functions no longer knows (used, timed out) is reported as `StaleToken`."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from starling.shared.errors import Conflict
from starling.shared.settings import Settings

_STALE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}


class StaleToken(Conflict):
    """Step Functions refused the token: the step it stood for is over."""


class StepFunctionsSigningWorkflow:
    def __init__(self, settings: Settings, client: Any = None) -> None:
        self._arn = settings.contract_signing_state_machine_arn
        self._client = client or boto3.client("stepfunctions", region_name=settings.region)

    def start(self, brand_id: str, contract_id: str, parent_task_token: str | None = None) -> str:
        payload = {"brand_id": brand_id, "contract_id": contract_id, "parent_task_token": parent_task_token}
        try:
            answer = self._client.start_execution(
                stateMachineArn=self._arn, name=contract_id, input=json.dumps(payload)
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ExecutionAlreadyExists":
                raise Conflict("This contract's signing has started already.") from exc
            raise
        return str(answer["executionArn"])

    def resume(self, token: str, output: dict[str, Any]) -> None:
        self._call("send_task_success", taskToken=token, output=json.dumps(output))

    def refuse(self, token: str, error: str, cause: str) -> None:
        self._call("send_task_failure", taskToken=token, error=error, cause=cause[:32000])

    def _call(self, method: str, **kwargs: Any) -> None:
        try:
            getattr(self._client, method)(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _STALE:
                raise StaleToken("The step this token stood for is over.") from exc
            raise
