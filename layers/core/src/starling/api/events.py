"""Small normalisations of API Gateway events before routing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from starling.shared.settings import get_settings

# curl -d and many HTTP clients send this by default; the brand API's bodies are JSON.
_DEFAULTED_TYPES = ("", "application/x-www-form-urlencoded")


_BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def treat_body_as_json(event: dict[str, Any]) -> dict[str, Any]:
    """A /v1 body sent without a content type (or with a client's form default) is read as JSON. A body
    sent with a GET has no meaning (RFC 9110) and is dropped, so it is never parsed."""
    method = str((event.get("requestContext") or {}).get("http", {}).get("method", "")).upper()
    if method in _BODILESS_METHODS and event.get("body"):
        event = {key: value for key, value in event.items() if key not in ("body", "isBase64Encoded")}
    headers = event.get("headers") or {}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if event.get("rawPath", "").startswith("/v1/") and event.get("body") and content_type in _DEFAULTED_TYPES:
        event = {**event, "headers": {**headers, "content-type": "application/json"}}
    return event


def public_base_url(event: APIGatewayProxyEventV2) -> str:
    """Where the public pages are served: the configured domain, else the one this request came in on."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    scheme = event.headers.get("x-forwarded-proto", "https")
    return f"{scheme}://{event.request_context.domain_name}"
