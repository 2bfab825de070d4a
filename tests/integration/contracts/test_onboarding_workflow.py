"""The onboarding workflow for real on the local cloud, driven over HTTP through the portal like a phone:
approved → profile, payout, tax → the nested contract-signing execution → active with a link, a product
page, a welcome email and a `partner.activated` event; the reminder and the expiry on a small time scale;
and a declined contract."""

from __future__ import annotations

import json
import re
from typing import Any

from infra.local.cloud import LocalCloud
from infra.local.stepfunctions import scaled_time
from tests.integration.conftest import new_brand
from tests.integration.contracts.conftest import new_template
from tests.integration.contracts.portal_support import (
    Phone,
    applied_partner,
    approve,
    done_steps,
    emails_to,
    onboarding,
    wait_for,
)
from tests.support import ApiClient

PROFILE = {
    "display_name": "Maya L",
    "bio": "Skincare, simply.",
    "photo_url": "https://img.example.com/maya.jpg",
}
PAYOUT = {"kind": "stripe", "reference": "acct_1Nv0FGQ9RKHgCVdK"}
W9 = {"kind": "w9", "legal_name": "Maya Lopez", "classification": "individual", "tax_id": "123-45-6789",
      "address": "1 Main St, Austin TX", "certify": "on"}  # fmt: skip


def _execution(cloud: LocalCloud, brand_id: str, partner_id: str) -> dict[str, Any]:
    arn = cloud.physical_id("OnboardingOnboardingStateMachine", "AWS::StepFunctions::StateMachine")
    name = f"onboarding-{brand_id}-{partner_id}"
    return dict(
        cloud.client("stepfunctions").describe_execution(
            executionArn=arn.replace(":stateMachine:", ":execution:") + f":{name}"
        )
    )


def _finished(cloud: LocalCloud, brand_id: str, partner_id: str, timeout: float = 90) -> dict[str, Any]:
    return dict(
        wait_for(
            lambda: (e := _execution(cloud, brand_id, partner_id))["status"] != "RUNNING" and e,
            timeout=timeout,
            what="the onboarding execution to finish",
        )
    )


def _stage(api: ApiClient, brand: dict[str, str], partner_id: str) -> str:
    return str(api.call("GET", f"/v1/partners/{partner_id}", brand["api_key"]).body["stage"])


def _steps_done(phone: Phone) -> None:
    assert (
        phone.go("POST", "/portal/onboarding/profile", PROFILE).headers["Location"]
        == "/portal/onboarding/payout"
    )
    assert (
        phone.go("POST", "/portal/onboarding/payout", PAYOUT).headers["Location"] == "/portal/onboarding/tax"
    )
    assert phone.go("POST", "/portal/onboarding/tax", W9).headers["Location"] == "/portal"


def _contract_link(cloud: LocalCloud, email: str) -> str:
    found = wait_for(
        lambda: [
            m for m in emails_to(cloud, email) if re.search(r"/portal/contracts/(ctr_\w+)", str(m["body"]))
        ],
        what="the contract email",
    )
    return str(re.search(r"/portal/contracts/(ctr_\w+)", str(found[-1]["body"])).group(0))  # type: ignore[union-attr]


def _sign(phone: Phone, path: str) -> None:
    page = phone.go("GET", path)
    assert page.status == 200, page.text
    sha = re.search(r'name="document_sha256" value="([0-9a-f]{64})"', page.text).group(1)  # type: ignore[union-attr]
    signed = phone.go(
        "POST", f"{path}/sign", {"consent": "yes", "typed_name": "Maya Lopez", "document_sha256": sha}
    )
    assert signed.status == 303, signed.text


def _products(api: ApiClient, brand: dict[str, str]) -> None:
    for name, url in (("Glow Serum", "serum"), ("Night Cream", "cream")):
        body = {
            "name": name,
            "url": f"https://shop.example.com/{url}",
            "price": {"amount": 2900, "currency": "USD"},
        }
        assert api.call("POST", "/v1/products", brand["api_key"], body).status == 201


def test_an_approved_partner_completes_onboarding_on_the_phone_and_becomes_active(
    api: ApiClient, cloud: LocalCloud, brand: dict[str, str]
) -> None:
    # Given a brand with products and a contract template, and a creator who applied
    _products(api, brand)
    new_template(api, brand["api_key"])
    partner = applied_partner(api, brand)
    pid = partner["partner_id"]
    # When the brand approves them, the workflow moves them to onboarding and emails a magic link
    phone = Phone(cloud.api_url)
    phone.sign_in(approve(api, cloud, brand, partner))
    assert wait_for(lambda: _stage(api, brand, pid) == "onboarding", what="stage onboarding")
    # And they complete their three steps in the portal
    _steps_done(phone)
    # Then the contract is sent, and signing it in the portal finishes onboarding
    _sign(phone, _contract_link(cloud, partner["email"]))
    execution = _finished(cloud, brand["brand_id"], pid)
    assert execution["status"] == "SUCCEEDED", execution
    assert _stage(api, brand, pid) == "active"
    # And the brand sees each step with its time, the tax id masked
    shown = onboarding(api, brand, pid)
    assert shown["status"] == "active" and shown["contract_id"].startswith("ctr_")
    assert {"started", "invited", "profile", "payout", "tax", "contract_sent", "contract_signed",
            "activated"} <= done_steps(api, brand, pid)  # fmt: skip
    assert all(s["at"] for s in shown["steps"] if s["done"])
    assert shown["tax"] == {"kind": "w9", "country": "US", "tax_id": "•••••6789"}
    assert "123-45-6789" not in json.dumps(shown) and "123456789" not in json.dumps(shown)
    # And they have a link per product, their product page, and a welcome email with the QR code
    links = api.call("GET", f"/v1/links?partner_id={pid}", brand["api_key"]).body["items"]
    assert len(links) == 2
    welcome = [m for m in emails_to(cloud, partner["email"]) if m["subject"].startswith("You're live")]
    assert len(welcome) == 1 and "Content-Type: image/png" in welcome[0]["raw"]
    page_url = re.search(r"(/p/[\w.\-]+)", welcome[0]["body"]).group(1)  # type: ignore[union-attr]
    product_page = phone.go("GET", page_url)
    assert product_page.status == 200
    assert (
        "Glow Serum" in product_page.text
        and "Maya L" in product_page.text
        and links[0]["slug"] in product_page.text
    )
    # And the tax id is stored only encrypted
    table = cloud.physical_id("DataCoreTable", "AWS::DynamoDB::Table")
    assert "123-45-6789" not in json.dumps(
        cloud.client("dynamodb").scan(TableName=table)["Items"], default=str
    )


def test_a_stalled_partner_is_reminded_then_expires_paused_and_the_brand_is_told(
    api: ApiClient, cloud: LocalCloud, brand: dict[str, str]
) -> None:
    # Given an approved partner who completes one step only, on a time scale where 3 days last 2.6 s
    partner = applied_partner(api, brand)
    pid = partner["partner_id"]
    api.call("PATCH", f"/v1/partners/{pid}", brand["api_key"], {"owner": "sam@brand.example"})
    with scaled_time(1e-5):
        phone = Phone(cloud.api_url)
        phone.sign_in(approve(api, cloud, brand, partner))
        phone.go("POST", "/portal/onboarding/profile", PROFILE)
        # When 14 days pass without the other steps
        execution = _finished(cloud, brand["brand_id"], pid, timeout=120)
    # Then they were reminded, the onboarding expired, they are paused and the owner was emailed
    assert execution["status"] == "SUCCEEDED"
    assert [m for m in emails_to(cloud, partner["email"]) if m["subject"].startswith("Reminder")]
    assert onboarding(api, brand, pid)["status"] == "expired"
    assert {"reminded", "expired", "profile"} <= done_steps(api, brand, pid)
    assert _stage(api, brand, pid) == "paused"
    assert [m for m in emails_to(cloud, "sam@brand.example") if "expired" in m["subject"]]


def test_a_declined_contract_ends_onboarding_and_pauses_the_partner(
    api: ApiClient, cloud: LocalCloud, brand: dict[str, str]
) -> None:
    new_template(api, brand["api_key"])
    partner = applied_partner(api, brand)
    pid = partner["partner_id"]
    phone = Phone(cloud.api_url)
    phone.sign_in(approve(api, cloud, brand, partner))
    _steps_done(phone)
    path = _contract_link(cloud, partner["email"])
    # And another brand's partner, signed in, gets 404 for her contract on every contract route
    other_brand = new_brand(cloud)
    stranger = applied_partner(api, other_brand, "Ben Okafor")
    ben = Phone(cloud.api_url)
    ben.sign_in(approve(api, cloud, other_brand, stranger))
    assert ben.go("GET", path).status == 404
    assert ben.go("GET", f"{path}/document").status == 404
    assert (
        ben.go(
            "POST", f"{path}/sign", {"consent": "yes", "typed_name": "Ben", "document_sha256": "0" * 64}
        ).status
        == 404
    )
    assert ben.go("POST", f"{path}/decline", {"reason": "not mine"}).status == 404
    assert phone.go("GET", path).status == 200
    assert phone.go("GET", f"{path}/document").headers["Content-Type"].startswith("text/plain")
    # When the partner declines the contract in the portal
    assert phone.go("POST", f"{path}/decline", {"reason": "The fee is too low"}).status == 303
    # Then onboarding ends, and the partner is paused, not active
    assert _finished(cloud, brand["brand_id"], pid)["status"] == "SUCCEEDED"
    shown = onboarding(api, brand, pid)
    assert shown["status"] == "ended" and shown["ended_reason"] == "contract_declined"
    assert _stage(api, brand, pid) == "paused"


def test_approving_twice_starts_one_onboarding(
    api: ApiClient, cloud: LocalCloud, brand: dict[str, str]
) -> None:
    # Given a partner whose onboarding runs
    partner = applied_partner(api, brand)
    approve(api, cloud, brand, partner)
    sfn = cloud.client("stepfunctions")
    arn = cloud.physical_id("OnboardingOnboardingStateMachine", "AWS::StepFunctions::StateMachine")
    from starling.contracts.onboarding_start import start_onboarding

    # When it is started again while it runs (a retried request)
    assert start_onboarding(sfn, arn, brand["brand_id"], partner["partner_id"]) is True
    # Then there is still one execution, named after the partner
    named = [
        e
        for e in sfn.list_executions(stateMachineArn=arn)["executions"]
        if partner["partner_id"] in e["name"]
    ]
    assert len(named) == 1
