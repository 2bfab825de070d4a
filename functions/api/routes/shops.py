"""Orders from shop platforms, without an API key: Starling's signed endpoint, Shopify's webhooks, and the
brand owner's routes for the secrets that sign them.

`/t/...` routes verify the request (signature or HMAC over the raw body) before they read the body, and
write nothing unless it verifies. They run in the brand API's function: it holds the conversions' grants
(tables, idempotency, the click secret) and is the one kept warm by the brand's own traffic
(docs/decisions.md).
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from functions.api.routes.conversions import (
    ConversionCreate,
    ConversionOut,
    RefundCreate,
    conversion_out,
    order_fields,
    services,
)
from functions.api.schemas import StrictBody
from starling.api.auth import principal, requires
from starling.api.gate import UNPARSED, parse_json
from starling.api.openapi import CapabilityRouter
from starling.conversions import shopify
from starling.conversions.repository import DynamoShopSecretRepository
from starling.conversions.service import order_in
from starling.conversions.shops import GRACE, KmsSecretCipher, SecretKind, ShopSecret, ShopSecretsService
from starling.identity.model import Area
from starling.identity.repository import DynamoIdentityRepository
from starling.shared import clock
from starling.shared.errors import BadRequest, Invalid, NotFound
from starling.shared.observability import logger, metrics
from starling.shared.settings import Settings

router = CapabilityRouter("Conversions")


class _Slugs:
    def __init__(self) -> None:
        self._identity = DynamoIdentityRepository()

    def brand_id_for_slug(self, slug: str) -> str | None:
        brand = self._identity.find_brand_by_slug(slug)
        return brand.brand_id if brand else None


@lru_cache(maxsize=1)
def _secrets() -> ShopSecretsService:
    settings = Settings.from_env()
    cipher = KmsSecretCipher(settings.shop_secrets_key_id, boto3.client("kms"))
    return ShopSecretsService(DynamoShopSecretRepository(), cipher, _Slugs())


# --- the owner's side ---------------------------------------------------------------------------------------


class SecretState(BaseModel):
    set_at: datetime
    previous_valid_until: datetime | None = Field(description="Until then the previous secret works too")


class SecretsOut(BaseModel):
    signing: SecretState | None = Field(description="Starling-Signature's secret; null until created")
    shopify: SecretState | None = Field(description="Shopify's webhook secret; null until set")
    grace_hours: int = Field(description="How long a replaced secret keeps working")


class SigningSecretOut(SecretState):
    secret: str | None = Field(
        description="Shown once: sign `<t>.<body>` with it (HMAC-SHA256, hex); null in a replay"
    )
    secret_notice: str | None = Field(default=None, description="Why a replayed answer has no secret")


class ShopifySecretIn(StrictBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"secret": "9fa0b2d06a1c4e7f8a3b5c6d7e8f9a0b"}]}
    )

    secret: str = Field(min_length=16, max_length=200, description="Shopify's webhook signing secret")


def _state(secret: ShopSecret | None) -> SecretState | None:
    if secret is None:
        return None
    return SecretState(set_at=secret.set_at, previous_valid_until=secret.previous_valid_until(clock.now()))


@router.get("/v1/conversion-secrets", summary="Whether the shop secrets are set, and since when (owner)")
@requires(Area.SHOP_SECRETS)
def handle_get_conversion_secrets() -> SecretsOut:
    found = _secrets().status(principal(router).brand_id)
    return SecretsOut(
        signing=_state(found[SecretKind.SIGNING]),
        shopify=_state(found[SecretKind.SHOPIFY]),
        grace_hours=int(GRACE.total_seconds() // 3600),
    )


@router.post(
    "/v1/conversion-secrets/signing",
    summary="Create or rotate the signing secret of /t/conversions (owner); shown once, the old one works "
    "for 24 h",
    status_code=201,
)
@requires(Area.SHOP_SECRETS, write=True)
def handle_rotate_signing_secret() -> Response[SigningSecretOut]:
    plaintext, stored = _secrets().rotate_signing(principal(router).brand_id)
    state = _state(stored)
    assert state is not None
    out = SigningSecretOut(secret=plaintext, **state.model_dump())
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=out)


@router.post(
    "/v1/conversion-secrets/shopify",
    summary="Set Shopify's webhook secret for /t/shopify (owner); the old one works for 24 h",
)
@requires(Area.SHOP_SECRETS, write=True)
def handle_set_shopify_secret(body: ShopifySecretIn) -> SecretState:
    state = _state(_secrets().set_shopify(principal(router).brand_id, body.secret))
    assert state is not None
    return state


# --- the shop's side (no API key) ---------------------------------------------------------------------------


def raw_body() -> bytes:
    """The request's body exactly as sent: what the signature covers."""
    event = router.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode()


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode()
    except UnicodeDecodeError as exc:
        raise BadRequest("The body is not UTF-8 JSON.", code="bad_json") from exc
    parsed = parse_json(text)
    if parsed is UNPARSED:
        raise BadRequest("The body is not valid JSON.", code="bad_json")
    if not isinstance(parsed, dict):
        raise Invalid("The body must be a JSON object.", [{"field": "body", "problem": "not an object"}])
    return parsed


def _validated(model: type[StrictBody], raw: bytes) -> Any:
    _json_object(raw)
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "problem": e["msg"]} for e in exc.errors()
        ]
        raise Invalid("Some fields are missing or wrong.", details) from exc


def _recorded(brand_id: str, fields: dict[str, Any]) -> Response[ConversionOut]:
    _, ingestion = services(Settings.from_env())
    conversion, recorded = ingestion.record(brand_id, order_in(fields, clock.now()))
    metrics.add_metric(name="ShopOrderReceived", unit="Count", value=1)
    return Response(
        status_code=201 if recorded else 200,
        content_type=content_types.APPLICATION_JSON,
        body=conversion_out(conversion),
    )


_CONVERSION: Any = {"application/json": {"model": ConversionOut}}


@router.post(
    "/t/conversions/<brand_slug>",
    summary="Record an order signed with the brand's secret (Starling-Signature: t=<unix>,v1=<hex HMAC>)",
    status_code=201,
    responses={
        200: {"description": "Recorded before: the first record", "content": _CONVERSION},
        201: {"description": "Recorded now", "content": _CONVERSION},
    },
)
def handle_signed_conversion(brand_slug: str) -> Response[ConversionOut]:
    raw = raw_body()
    brand_id = _secrets().verify_signed(
        brand_slug, router.current_event.headers.get("starling-signature"), raw
    )
    body = _validated(ConversionCreate, raw)
    return _recorded(brand_id, order_fields(body))


class SignedRefund(RefundCreate):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"order_id": "1001", "refund_id": "r-1", "amount": 6000}]}
    )

    order_id: str = Field(min_length=1, max_length=200, description="The order refunded")


@router.post(
    "/t/conversions/<brand_slug>/refunds",
    summary="Record a refund signed with the brand's secret (once per refund_id)",
    responses={200: {"description": "The order after the refund", "content": _CONVERSION}},
)
def handle_signed_refund(brand_slug: str) -> ConversionOut:
    raw = raw_body()
    brand_id = _secrets().verify_signed(
        brand_slug, router.current_event.headers.get("starling-signature"), raw
    )
    body: SignedRefund = _validated(SignedRefund, raw)
    service, _ = services(Settings.from_env())
    return conversion_out(service.refund(brand_id, body.order_id, body.refund_id, body.amount))


class ShopifyAnswer(BaseModel):
    topic: str
    outcome: str = Field(description="recorded, duplicate (recorded before) or ignored")
    reason: str | None = Field(default=None, description="Why a webhook was ignored")
    conversion: ConversionOut | None = None


@router.post(
    "/t/shopify/<brand_slug>",
    summary="Shopify's orders/create and refunds/create webhooks, verified by X-Shopify-Hmac-Sha256",
    responses={
        200: {
            "description": "Taken (or recorded before, or ignored with its reason)",
            "content": {"application/json": {"model": ShopifyAnswer}},
        },
        201: {"description": "Recorded now", "content": {"application/json": {"model": ShopifyAnswer}}},
    },
)
def handle_shopify_webhook(brand_slug: str) -> Response[ShopifyAnswer]:
    headers = router.current_event.headers
    raw = raw_body()
    brand_id = _secrets().verify_shopify(brand_slug, headers.get("x-shopify-hmac-sha256"), raw)
    topic = (headers.get("x-shopify-topic") or "").strip()
    logger.info("Shopify webhook", extra={"topic": topic, "webhook_id": headers.get("x-shopify-webhook-id")})
    if topic not in shopify.TOPICS:
        raise Invalid(
            f"This endpoint takes the {' and '.join(shopify.TOPICS)} webhooks, not '{topic}'.",
            {"X-Shopify-Topic": topic or None},
        )
    payload = _json_object(raw)
    if topic == shopify.ORDERS_CREATE:
        return _shopify_order(brand_id, payload)
    return _shopify_refund(brand_id, payload)


def _answer(status: int, answer: ShopifyAnswer) -> Response[ShopifyAnswer]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=answer)


def _shopify_order(brand_id: str, payload: dict[str, Any]) -> Response[ShopifyAnswer]:
    fields = shopify.order_fields(payload)
    if fields["amount"] == 0:
        return _answer(
            200,
            ShopifyAnswer(
                topic=shopify.ORDERS_CREATE,
                outcome="ignored",
                reason="The order's total is zero: it earns nothing.",
            ),
        )
    recorded = _recorded(brand_id, fields)
    outcome = "recorded" if recorded.status_code == 201 else "duplicate"
    answer = ShopifyAnswer(topic=shopify.ORDERS_CREATE, outcome=outcome, conversion=recorded.body)
    return _answer(recorded.status_code, answer)


def _shopify_refund(brand_id: str, payload: dict[str, Any]) -> Response[ShopifyAnswer]:
    service, _ = services(Settings.from_env())
    order_id = shopify.order_id_of(payload)
    try:
        order = service.get(brand_id, order_id)
    except NotFound:
        return _answer(
            200,
            ShopifyAnswer(
                topic=shopify.REFUNDS_CREATE,
                outcome="ignored",
                reason="Starling has no record of this order.",
            ),
        )
    refund = shopify.refund_of(payload, order.currency)
    if refund.amount == 0:
        return _answer(
            200,
            ShopifyAnswer(topic=shopify.REFUNDS_CREATE, outcome="ignored", reason="No money was refunded."),
        )
    before = len(order.refunds)
    after = service.refund(brand_id, order_id, refund.refund_id, refund.amount)
    outcome = "recorded" if len(after.refunds) > before else "duplicate"
    answer = ShopifyAnswer(topic=shopify.REFUNDS_CREATE, outcome=outcome, conversion=conversion_out(after))
    return _answer(201 if outcome == "recorded" else 200, answer)


def _json_body(schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema, "example": example}}}


_SHOPIFY_ORDER_EXAMPLE = {
    "id": 820982911946154508,
    "currency": "USD",
    "total_price": "120.00",
    "current_total_price": "120.00",
    "created_at": "2026-11-29T10:00:00-05:00",
    "email": "shopper@example.com",
    "discount_codes": [{"code": "MAYA10", "amount": "12.00", "type": "percentage"}],
    "landing_site": "/products/spring?stclid=1.eyJi...",
    "note_attributes": [{"name": "stclid", "value": "1.eyJi..."}],
}
# The bodies the /t/ routes read themselves (after their signature), as the OpenAPI document shows them.
SHOP_BODIES: dict[str, dict[str, Any]] = {
    "/t/conversions/{brand_slug}": _json_body(
        {"$ref": "#/components/schemas/ConversionCreate"},
        {"order_id": "1001", "amount": 12000, "currency": "USD", "coupon_code": "MAYA10"},
    ),
    "/t/conversions/{brand_slug}/refunds": _json_body(
        SignedRefund.model_json_schema(), {"order_id": "1001", "refund_id": "r-1", "amount": 6000}
    ),
    "/t/shopify/{brand_slug}": _json_body(
        {"type": "object", "description": "Shopify's order (orders/create) or refund (refunds/create)"},
        _SHOPIFY_ORDER_EXAMPLE,
    ),
}
