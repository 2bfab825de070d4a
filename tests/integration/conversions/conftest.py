"""Conversions on the local cloud: partners with contracts recorded as signed elsewhere, real click ids from
the redirect, and orders recorded over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.local.cloud import LocalCloud
from starling.links.click_secret import keys_from_secret
from tests.support import ApiClient

TERMS = {"currency": "USD", "cpa_percent": "10", "lock_days": 30, "attribution_window_days": 30}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ago(**delta: float) -> str:
    return iso(datetime.now(UTC) - timedelta(**delta))


def key_with_role(api: ApiClient, owner_key: str, role: str) -> str:
    answer = api.call("POST", "/v1/api-keys", owner_key, {"name": f"{role} key", "role": role})
    assert answer.status == 201, answer.text
    return str(answer.body["key"])


def partner(
    api: ApiClient,
    owner_key: str,
    terms: dict[str, Any] | None = None,
    email: str | None = None,
    coupon_codes: list[str] | None = None,
    signed_on: str = "2026-01-01",
) -> dict[str, Any]:
    """A partner with a contract recorded as signed elsewhere (active at once), and its coupon codes."""
    suffix = uuid.uuid4().hex[:8]
    creator = {"handle": f"maya.{suffix}", "platform": "instagram", "followers": 12000,
               "email": email or f"maya.{suffix}@gmail.com", "display_name": "Maya Lopez"}  # fmt: skip
    created = api.call("POST", "/v1/partners", owner_key, {"creator": creator})
    assert created.status == 201, created.text
    partner_id = created.body["partner_id"]
    if terms is not None:
        body = {"terms": terms, "starts_on": signed_on,
                "signed_elsewhere": {"signed_on": signed_on, "document_sha256": "ab" * 32}}  # fmt: skip
        contract = api.call("POST", f"/v1/partners/{partner_id}/contracts", owner_key, body)
        assert contract.status == 201, contract.text
    if coupon_codes:
        patched = api.call("PATCH", f"/v1/partners/{partner_id}", owner_key, {"coupon_codes": coupon_codes})
        assert patched.status == 200, patched.text
    return dict(created.body)


def click_id(api: ApiClient, key: str, partner_id: str, campaign_id: str | None = None) -> tuple[str, str]:
    """A shopper follows the partner's new link: the `stclid` the redirect appended, and the link's slug."""
    body: dict[str, Any] = {"partner_id": partner_id, "destination_url": "https://shop.example.com/spring"}
    if campaign_id:
        body["campaign_id"] = campaign_id
    link = api.call("POST", "/v1/links", key, body)
    assert link.status == 201, link.text
    slug = str(link.body["slug"])
    redirect = api.call("GET", f"/{slug}", headers={"User-Agent": "Mozilla/5.0 (iPhone) Instagram 300.0"})
    assert redirect.status == 302, redirect.text
    [stclid] = parse_qs(urlsplit(redirect.headers["Location"]).query)["stclid"]
    return stclid, slug


def order(**fields: Any) -> dict[str, Any]:
    return {"order_id": f"o-{uuid.uuid4().hex[:12]}", "amount": 12000, "currency": "USD", **fields}


def record(api: ApiClient, key: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    answer = api.call("POST", "/v1/conversions", key, body)
    assert answer.status == status, answer.text
    return dict(answer.body)


def signed_click(cloud: LocalCloud, brand_id: str, slug: str, partner_id: str, at: datetime) -> str:
    """A click id as the redirect would have issued it at `at` (the deployment's own click secret)."""
    secret_id = cloud.function_environment("ApiApiFunction")["CLICK_SECRET_ID"]
    secret = cloud.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
    stclid, _ = keys_from_secret(secret).click_ids.issue(
        brand_id, slug, partner_id, None, int(at.timestamp() * 1000)
    )
    return stclid
