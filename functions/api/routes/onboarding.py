"""Onboarding, as the brand sees it: each step a partner has done, with its time. (Moving a partner to
`approved` starts it: see partners.handle_move_stage.)"""

from __future__ import annotations

import os
from datetime import datetime
from functools import lru_cache
from typing import Any

import boto3
from pydantic import BaseModel, Field

from starling.api.auth import principal, requires
from starling.api.openapi import CapabilityRouter
from starling.contracts.onboarding import step_times
from starling.contracts.onboarding_repository import DynamoOnboardingStore
from starling.contracts.onboarding_start import execution_name, start_onboarding
from starling.identity.model import Area
from starling.recruiting.repository import DynamoPartnerRepository
from starling.shared.observability import logger
from starling.shared.settings import get_settings

router = CapabilityRouter("Recruiting")


class StepOut(BaseModel):
    step: str = Field(description="started, invited, profile, payout, tax, reminded, contract_sent, ...")
    done: bool
    at: datetime | None = Field(description="When it was done (UTC); null while it is still to do")


class PayoutOut(BaseModel):
    kind: str = Field(description="stripe or paypal")
    reference: str = Field(description="The Stripe Connect account id, or the PayPal email")


class TaxOut(BaseModel):
    kind: str = Field(description="w9 or w8ben")
    country: str
    tax_id: str = Field(description="Masked: the last four characters only")


class OnboardingOut(BaseModel):
    partner_id: str
    status: str = Field(description="waiting_for_partner, contract, active, expired, ended, failed")
    execution_name: str = Field(description="The onboarding state machine's execution, for the AWS CLI")
    steps: list[StepOut]
    contract_id: str | None = None
    ended_reason: str | None = None
    payout: PayoutOut | None = None
    tax: TaxOut | None = None


@router.get(
    "/v1/partners/<partner_id>/onboarding",
    summary="A partner's onboarding: each step with its time (moving them to approved starts it)",
)
@requires(Area.PARTNERS)
def handle_get_onboarding(partner_id: str) -> OnboardingOut:
    caller = principal(router)
    DynamoPartnerRepository().get(caller.brand_id, partner_id)  # another brand's partner is a 404
    onboarding = DynamoOnboardingStore().get(caller.brand_id, partner_id)
    payout = onboarding.payout
    tax = onboarding.tax
    return OnboardingOut(
        partner_id=partner_id,
        status=onboarding.status.value,
        execution_name=execution_name(caller.brand_id, partner_id),
        steps=[StepOut(step=step.value, done=at is not None, at=at) for step, at in step_times(onboarding)],
        contract_id=onboarding.contract_id,
        ended_reason=onboarding.ended_reason,
        payout=PayoutOut(kind=payout.kind.value, reference=payout.reference) if payout else None,
        tax=TaxOut(kind=tax.kind.value, country=tax.country, tax_id=tax.masked_tax_id) if tax else None,
    )


@lru_cache(maxsize=1)
def _stepfunctions() -> Any:
    return boto3.client("stepfunctions", region_name=get_settings().region)


def start_for_approved(brand_id: str, partner_id: str) -> None:
    """The composition of recruiting and contracts: recruiting knows nothing of onboarding; the API starts
    it after a move to approved is committed (write, then tell)."""
    arn = os.environ.get("ONBOARDING_STATE_MACHINE_ARN")
    if not arn:
        logger.warning("No onboarding state machine configured; onboarding not started")
        return
    started = start_onboarding(_stepfunctions(), arn, brand_id, partner_id)
    logger.info(
        "Onboarding started" if started else "Onboarding ran before", extra={"partner_id": partner_id}
    )
