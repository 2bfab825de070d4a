"""The monthly-payout state machine through the Step Functions API, and the capabilities statements
read, behind the `Workflow` and `Sources` ports of starling.payouts.service."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from starling.contracts.model import Contract
from starling.contracts.service import PayoutMethod
from starling.conversions.model import PartnerMonth
from starling.conversions.service import Conversion
from starling.recruiting.model import Partner
from starling.shared.errors import Conflict
from starling.shared.settings import Settings

_STALE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}


class StepFunctionsPayoutWorkflow:
    def __init__(self, settings: Settings, client: Any = None) -> None:
        self._arn = settings.payout_state_machine_arn
        self._client = client or boto3.client("stepfunctions", region_name=settings.region)

    def start(self, name: str, payload: dict[str, Any]) -> None:
        """Start the run's execution; one of that name already started is the same run."""
        try:
            self._client.start_execution(stateMachineArn=self._arn, name=name, input=json.dumps(payload))
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise

    def resume(self, token: str, output: dict[str, Any]) -> None:
        self._call("send_task_success", taskToken=token, output=json.dumps(output))

    def refuse(self, token: str, error: str, cause: str) -> None:
        self._call("send_task_failure", taskToken=token, error=error, cause=cause[:32000])

    def _call(self, method: str, **kwargs: Any) -> None:
        try:
            getattr(self._client, method)(**kwargs)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in _STALE:
                raise Conflict("The approval step this run waited in is over.", {"status": "over"}) from exc
            raise


class CapabilitySources:
    """Partners (recruiting), contract versions (contracts), commissions and months (conversions)."""

    def __init__(self, settings: Settings) -> None:
        from starling.contracts.service import ContractsService
        from starling.conversions.service import ConversionsService
        from starling.recruiting.service import partner_store

        self._partners = partner_store()
        self._contracts = ContractsService.from_settings(settings)
        self._conversions = ConversionsService.from_settings(settings)

    def brand_ids(self) -> list[str]:
        from starling.identity.service import brand_ids

        return brand_ids()

    def partners(self, brand_id: str) -> list[Partner]:
        return self._partners.all(brand_id)

    def partner(self, brand_id: str, partner_id: str) -> Partner:
        return self._partners.get(brand_id, partner_id)

    def versions(self, brand_id: str, partner_id: str) -> list[Contract]:
        return self._contracts.versions(brand_id, partner_id)

    def commissions_of(self, brand_id: str, partner_ids: list[str]) -> dict[str, list[Conversion]]:
        return self._conversions.commissions_of(brand_id, partner_ids)

    def partner_month(self, brand_id: str, partner_id: str, month: str) -> PartnerMonth:
        return self._conversions.partner_month(brand_id, partner_id, month)

    def payout_method(self, brand_id: str, partner_id: str) -> PayoutMethod | None:
        from starling.contracts.service import payout_method

        return payout_method(brand_id, partner_id)
