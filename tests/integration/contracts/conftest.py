"""Contracts on the local cloud: the brand over HTTP, the partner through the service the portal calls
(the portal's own pages are tested with the portal), and the real contract-signing state machine."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from infra.local import environ
from infra.local.cloud import LocalCloud
from starling.contracts.service import ContractsService
from starling.shared.settings import Settings
from tests.support import ApiClient

BODY = (
    "# Agreement {{contract_id}}\n\n{{brand_name}} and {{partner_name}} agree from {{start_date}}:\n\n"
    "{{terms_summary}}\n"
)
TERMS = {"currency": "USD", "cpa_percent": "10", "flat_fee": {"amount": 20000, "due_on": "2026-12-01"}}
PORTAL = {"ip": "203.0.113.7", "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)"}


def wait_for(probe: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


@contextmanager
def as_portal(cloud: LocalCloud) -> Iterator[ContractsService]:
    """The contracts service with the environment a function that signs runs with (the brand API's)."""
    env = cloud.function_environment("ApiApiFunction")
    with environ.install().invocation(env):
        yield ContractsService.from_settings(Settings.from_env(env))


@pytest.fixture()
def portal(cloud: LocalCloud) -> Iterator[ContractsService]:
    with as_portal(cloud) as service:
        yield service


def new_partner(api: ApiClient, key: str, followers: int = 12000) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:8]
    creator = {"handle": f"maya.{suffix}", "platform": "instagram", "followers": followers,
               "email": f"maya.{suffix}@gmail.com", "display_name": "Maya Lopez"}  # fmt: skip
    answer = api.call("POST", "/v1/partners", key, {"creator": creator})
    assert answer.status == 201, answer.text
    return dict(answer.body)


def new_template(api: ApiClient, key: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "Standard", "body_markdown": BODY, "default_terms": TERMS, **fields}
    answer = api.call("POST", "/v1/contract-templates", key, body)
    assert answer.status == 201, answer.text
    return dict(answer.body)


def offer(api: ApiClient, key: str, partner_id: str, **body: Any) -> dict[str, Any]:
    answer = api.call("POST", f"/v1/partners/{partner_id}/contracts", key, body)
    assert answer.status == 201, answer.text
    return dict(answer.body)


def contract(api: ApiClient, key: str, contract_id: str) -> dict[str, Any]:
    answer = api.call("GET", f"/v1/contracts/{contract_id}", key)
    assert answer.status == 200, answer.text
    return dict(answer.body)


def until_status(
    api: ApiClient, key: str, contract_id: str, *statuses: str, awaiting: str | None = None
) -> dict:
    def probe() -> dict | None:
        found = contract(api, key, contract_id)
        ready = found["status"] in statuses and (awaiting is None or found["awaiting"] == awaiting)
        return found if ready else None

    return dict(wait_for(probe))


def execution(cloud: LocalCloud, contract_id: str) -> dict[str, Any]:
    sfn = cloud.client("stepfunctions")
    arn = cloud.physical_id("ContractsContractSigning", "AWS::StepFunctions::StateMachine")
    return dict(
        sfn.describe_execution(executionArn=arn.replace(":stateMachine:", ":execution:") + f":{contract_id}")
    )


def finished(cloud: LocalCloud, contract_id: str) -> dict[str, Any]:
    return dict(wait_for(lambda: (e := execution(cloud, contract_id))["status"] != "RUNNING" and e))


def sign(portal: ContractsService, brand_id: str, partner_id: str, contract_id: str, **overrides: Any) -> Any:
    document = portal.document(brand_id, contract_id)
    fields = {"consent": True, "typed_name": "Maya Lopez", "document_sha256": document.sha256, **PORTAL}
    return portal.sign(brand_id, partner_id, contract_id, **{**fields, **overrides})
