"""Small normalisations of API Gateway events before routing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from starling.errors import Invalid
from starling.settings import get_settings

# curl -d and many HTTP clients send this by default; the brand API's bodies are JSON.
_DEFAULTED_TYPES = ("", "application/x-www-form-urlencoded")


def treat_body_as_json(event: dict[str, Any]) -> dict[str, Any]:
    """A /v1 body sent without a content type (or with a client's form default) is read as JSON."""
    headers = event.get("headers") or {}
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if event.get("rawPath", "").startswith("/v1/") and event.get("body") and content_type in _DEFAULTED_TYPES:
        event = {**event, "headers": {**headers, "content-type": "application/json"}}
    return event


def json_object_bodies(exempt_paths: tuple[str, ...]) -> Callable[..., Response]:
    """Middleware: a JSON body of a write must be an object. Powertools' validation would otherwise read a
    JSON array as its first element; routes that take arrays (the creators import) are exempt."""

    def middleware(app: APIGatewayHttpResolver, next_middleware: Callable[..., Response]) -> Response:
        event = app.current_event
        content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
        if (
            event.http_method in ("POST", "PUT", "PATCH")
            and event.path not in exempt_paths
            and content_type == "application/json"
            and (event.body or "").strip()
        ):
            try:
                parsed = json.loads(event.decoded_body or "")
            except ValueError:
                parsed = {}  # not JSON at all: the validation answers 400
            if not isinstance(parsed, dict):
                raise Invalid(
                    "The body must be a JSON object.", [{"field": "body", "problem": "not an object"}]
                )
        return next_middleware(app)

    return middleware


def public_base_url(event: APIGatewayProxyEventV2) -> str:
    """Where the public pages are served: the configured domain, else the one this request came in on."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    scheme = event.headers.get("x-forwarded-proto", "https")
    return f"{scheme}://{event.request_context.domain_name}"
