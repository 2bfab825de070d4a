"""The OpenAPI document tells every answer a route can give, grouped by capability.

Powertools documents a route's success and a 422 of its own shape. The brand API also answers 400, 401,
403, 404, 409, 415, 429 and, for a write whose storage failed part way, 503, all with the one error
envelope (starling.api.errors), so a client generated from /openapi.json can handle each.
`document_errors` adds them in one pass over the generated document.

Each capability's routes carry its tag (`CapabilityRouter`), and the document lists the tags in the order
a newcomer meets them (`CAPABILITY_TAGS`), so /docs shows one group per capability in that order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import Tag
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

CAPABILITY_TAGS: tuple[Tag, ...] = (
    Tag(name="Identity", description="Who calls: the brand, its settings and its API keys."),
    Tag(name="Discovery", description="Creators: import the brand's own, search them and the network."),
    Tag(name="Recruiting", description="Partners in the pipeline: stages, history, outreach, analytics."),
    Tag(name="Catalog", description="The brand's products, which links and product pages point to."),
    Tag(name="Links", description="Vanity links, their QR codes and their click figures."),
    Tag(name="Contracts", description="Templates, contracts to sign with their evidence, amendments."),
    Tag(name="Conversions", description="Orders recorded once, their attribution, commissions and refunds."),
    Tag(name="Costs", description="Every cost of a partner in one shape: fees, retainers, gifts; budgets."),
    Tag(
        name="Deliverables", description="Posts partners submit, checked, approved or rejected for their fee."
    ),
    Tag(name="Reports", description="Figures per link, partner, campaign, day or hour; JSON or CSV."),
    Tag(name="Payouts", description="Monthly payout runs: statements, finance's approval, payments."),
)
_TAGS_ARGUMENT = 7  # where `tags` comes in Router.route's positional arguments after rule and method


class CapabilityRouter(APIGatewayHttpRouter):
    """A capability's router: every route it declares carries the capability's tag (one of
    `CAPABILITY_TAGS`) unless the route names its own."""

    def __init__(self, tag: str) -> None:
        if tag not in {t.name for t in CAPABILITY_TAGS}:
            raise ValueError(f"{tag} is not one of the API's capability tags")
        super().__init__()
        self.tag = tag

    def route(  # type: ignore[override]  # Powertools' get/post/... pass every argument positionally
        self, rule: str, method: str | list[str] | tuple[str], *args: Any, **kwargs: Any
    ) -> Callable[[Any], Any]:
        if len(args) > _TAGS_ARGUMENT:
            if args[_TAGS_ARGUMENT] is None:
                args = (*args[:_TAGS_ARGUMENT], [self.tag], *args[_TAGS_ARGUMENT + 1 :])
        elif kwargs.get("tags") is None:
            kwargs["tags"] = [self.tag]
        return super().route(rule, method, *args, **kwargs)


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Error",
    "description": "Every error of the brand API has this shape.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Machine-readable: not_found, invalid, ...",
                },
                "message": {"type": "string", "description": "What went wrong, for a person."},
                "details": {"description": "The fields at fault, or other specifics; may be null."},
            },
        }
    },
}
# API Gateway answers some requests itself, before the function, with its own small body: a throttled one
# (429), and one with no Authorization header at all (401).
GATEWAY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "GatewayMessage",
    "required": ["message"],
    "properties": {"message": {"type": "string", "example": "Too Many Requests"}},
}

_ALWAYS = {
    401: "No API key, or one that is unknown or revoked.",
    403: "The key's role may not do this.",
    422: "A field, query parameter or rule is not met; details name the fields.",
}
_WITH_BODY = {
    400: "The body is not valid JSON, nests too deep, or a header is malformed.",
    404: "Something the path or the body names is not this brand's.",
    409: "A conflict with the current state, or the same Idempotency-Key still in progress.",
    415: "The body is not in a format the route takes.",
    503: "Storage failed part way: details say what is not done; the same request again finishes it.",
}
_WITH_PATH_PARAMETERS = {404: "Nothing of this brand at this path."}
_POWERTOOLS_422 = "Validation Error"
SHOP_PREFIX = "/t/"  # the shop endpoints: signed, without an API key
_SHOP_ERRORS = {
    400: "The signature header is missing or malformed, or the body is not JSON.",
    401: "The signature does not match, its time is more than 5 minutes off, or no secret is set.",
    404: "No brand has this slug (or, for a refund, no such order).",
    409: "A conflict: the same refund id with another amount, or the order being recorded right now.",
    422: "A field or rule is not met; details name the fields.",
}
_BODY_METHODS = frozenset({"post", "put", "patch", "delete"})


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_errors(spec: dict[str, Any], protected_prefix: str) -> dict[str, Any]:
    """The document with the error envelope as a component and every error status on every /v1 route."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["GatewayMessage"] = GATEWAY_SCHEMA
    for path, operations in spec.get("paths", {}).items():
        if not path.startswith(protected_prefix):
            for operation in operations.values():  # public routes take no input Powertools could refuse
                responses = operation.get("responses", {})
                if responses.get("422", {}).get("description") == _POWERTOOLS_422:
                    responses.pop("422")
                if path.startswith(SHOP_PREFIX):
                    operation["security"] = []  # verified by its signature, not an API key
                    if "{" in path:  # a shop's webhook: its signature, then its body
                        for status, description in _SHOP_ERRORS.items():
                            responses[str(status)] = _error_response(description)
            continue
        for method, operation in operations.items():
            statuses = dict(_ALWAYS)
            if method in _BODY_METHODS:
                statuses |= _WITH_BODY
            if "{" in path:
                statuses |= _WITH_PATH_PARAMETERS
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses[str(status)] = _error_response(description)
            responses["401"]["content"]["application/json"]["schema"] = {
                "anyOf": [
                    {"$ref": "#/components/schemas/Error"},
                    {"$ref": "#/components/schemas/GatewayMessage"},
                ]
            }
            responses["429"] = {
                "description": "Too many requests: the stage's throttle. Retry after a pause.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/GatewayMessage"}}},
            }
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return spec


def set_request_body(spec: dict[str, Any], path: str, method: str, body: dict[str, Any]) -> None:
    """Document the body of a route that reads its own (the creators import takes JSON or CSV)."""
    spec["paths"][path][method]["requestBody"] = body


@cache
def _path_patterns(app: APIGatewayHttpResolver) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """Each documented path as a pattern, with the methods it takes."""
    spec = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True)
    patterns = []
    for path, operations in spec.get("paths", {}).items():
        methods = [m.upper() for m in ("get", "post", "put", "patch", "delete") if m in operations]
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
        patterns.append((re.compile(f"^{pattern}/?$"), tuple(methods)))
    return tuple(patterns)


def allowed_methods(app: APIGatewayHttpResolver, path: str) -> list[str]:
    """The methods a known path takes; empty for a path the API does not have."""
    for pattern, methods in _path_patterns(app):
        if pattern.match(path):
            return list(methods)
    return []
