"""The onboarding state machine's Lambda tasks: one function, the task named in the payload.

Each task is a use case of `starling.contracts.onboarding_tasks`; a domain error fails the invocation with
its class name as the error, which the state machine's Retry and Catch match (`NotOnboarding`).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.partner_wiring import PartnerActivation, StepFunctionsResumer, aws, onboarding_context
from starling.contracts import onboarding_tasks as tasks
from starling.contracts.mail import SesImageEmailSender
from starling.shared.observability import logger, metrics
from starling.shared.settings import get_settings


def _base_url() -> str:
    """Where magic links and product pages point (the function's own environment: the settings object is
    shared by every function the local cloud runs in one process)."""
    return os.environ["PUBLIC_BASE_URL"].rstrip("/")


def handle_task(event: dict[str, Any]) -> dict[str, Any] | None:
    task = str(event["task"])
    brand_id, partner_id = str(event["brand_id"]), str(event["partner_id"])
    ctx = onboarding_context(_base_url())
    if task == "begin":
        return tasks.begin(ctx, brand_id, partner_id)
    if task == "invite":
        tasks.invite(ctx, brand_id, partner_id)
    elif task == "await_steps":
        tasks.await_steps(
            ctx, StepFunctionsResumer(aws("stepfunctions")), brand_id, partner_id, str(event["task_token"])
        )
    elif task == "remind":
        tasks.remind(ctx, brand_id, partner_id)
    elif task == "expire":
        tasks.expire(ctx, brand_id, partner_id)
        metrics.add_metric(name="OnboardingExpired", unit="Count", value=1)
    elif task == "contract_sent":
        tasks.contract_sent(ctx, brand_id, partner_id)
    elif task == "contract_ended":
        tasks.contract_ended(ctx, brand_id, partner_id, str(event.get("error") or ""))
    elif task == "activate":
        mailer = SesImageEmailSender(get_settings().sender_email, aws("ses"))
        detail = tasks.activate(
            ctx, PartnerActivation(_base_url()), mailer, brand_id, partner_id, str(event["contract_id"])
        )
        metrics.add_metric(name="PartnerActivated", unit="Count", value=1)
        return detail
    elif task == "failed":
        tasks.failed(ctx, brand_id, partner_id, str(event.get("error") or "unknown"))
    else:
        raise ValueError(f"Unknown onboarding task {task!r}")
    return None


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | None:
    logger.append_keys(
        task=event.get("task"), brand_id=event.get("brand_id"), partner_id=event.get("partner_id")
    )
    return handle_task(event)
