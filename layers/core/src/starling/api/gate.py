"""The checks a /v1 request passes before its body is read.

Powertools validates a request's body against the route's model before any middleware added with
`app.use` runs. The brand API must answer in this order instead: 401 for a caller without a valid key,
415 for a body that is not JSON, 400 for JSON nested too deep to read, 403 for a role without the right,
an idempotent replay, and only then field-level 422s. `run_before_validation` puts the given middlewares
in front of Powertools' request validation, in the order given.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any, get_type_hints

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from starling.shared.errors import BadRequest, Invalid, UnsupportedMediaType

Middleware = Callable[[APIGatewayHttpResolver, Callable[[APIGatewayHttpResolver], Response]], Response]

# Nesting deeper than this is refused before parsing into models: no body the API takes nests past 6.
MAX_JSON_DEPTH = 32
JSON_TYPE = "application/json"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def run_before_validation(app: APIGatewayHttpResolver, middlewares: list[Middleware]) -> None:
    """Run `middlewares` (in order) before Powertools reads and validates the request's body."""
    # Powertools makes this the first step of every route's stack.
    validation: Middleware = app._request_validation_middleware  # type: ignore[assignment]

    def step(index: int, last: Callable[[APIGatewayHttpResolver], Response]) -> Callable[..., Response]:
        if index == len(middlewares):
            return lambda current: validation(current, last)
        return lambda current: middlewares[index](current, step(index + 1, last))

    def gated(current: APIGatewayHttpResolver, next_middleware: Callable[..., Response]) -> Response:
        return step(0, next_middleware)(current)

    app._request_validation_middleware = gated  # type: ignore[assignment]


def media_type(event_headers: dict[str, str]) -> str:
    return (event_headers.get("content-type") or "").split(";")[0].strip().lower()


def is_json_type(value: str) -> bool:
    return value == JSON_TYPE or value.endswith("+json")


def json_bodies(protected_prefix: str, other_types: dict[str, tuple[str, ...]]) -> Callable[..., Response]:
    """Middleware: a write's body must be JSON (or one of the route's `other_types`, by path): 415 otherwise.
    A JSON body must parse within MAX_JSON_DEPTH levels (400) and be an object (422), except on the routes
    of `other_types`, which take arrays too."""

    def middleware(app: APIGatewayHttpResolver, next_middleware: Callable[..., Response]) -> Response:
        event = app.current_event
        body = event.decoded_body or ""
        if not (
            event.path.startswith(protected_prefix) and event.http_method in BODY_METHODS and body.strip()
        ):
            return next_middleware(app)
        sent = media_type(event.headers)
        extra = other_types.get(event.path, ())
        if not is_json_type(sent):
            if sent in extra:
                return next_middleware(app)
            taken = ", ".join((JSON_TYPE, *extra))
            raise UnsupportedMediaType(
                f"This route takes {taken}; the body was sent as {sent or 'an unnamed type'}.",
                {"content_type": sent, "accepted": [JSON_TYPE, *extra]},
            )
        parsed = parse_json(body)
        if parsed is not UNPARSED and not isinstance(parsed, dict) and not extra:
            raise Invalid("The body must be a JSON object.", [{"field": "body", "problem": "not an object"}])
        return next_middleware(app)

    return middleware


UNPARSED = object()


def parse_json(text: str) -> Any:
    """The parsed body; `UNPARSED` when it is not JSON (the validation then answers 400 with the position);
    BadRequest when it nests deeper than MAX_JSON_DEPTH."""
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        return UNPARSED
    if _depth_exceeds(parsed, MAX_JSON_DEPTH):
        raise _too_deep()
    return parsed


def _too_deep() -> BadRequest:
    return BadRequest(
        f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.",
        {"max_depth": MAX_JSON_DEPTH},
        code="too_deep",
    )


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True when arrays and objects nest more than `limit` levels (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def matched_route(app: APIGatewayHttpResolver) -> Any:
    """The route Powertools matched for this request; None for an unknown path, which Powertools runs
    through the same stack with a catch-all function of its own."""
    route = app.context.get("_route")  # set by Powertools before a route's stack runs
    if route is None or str(getattr(route.func, "__module__", "")).startswith("aws_lambda_powertools"):
        return None
    return route


@cache
def _query_names(func: Callable[..., Any]) -> frozenset[str]:
    """The query parameters a route function declares with Query(...), by their names on the wire."""
    names = set()
    for name, hint in get_type_hints(func, include_extras=True).items():
        for marker in getattr(hint, "__metadata__", ()):
            if isinstance(marker, Query):
                names.add(marker.alias or name)
    return frozenset(names)


def known_query_parameters(app: APIGatewayHttpResolver, next_middleware: Callable[..., Response]) -> Response:
    """Middleware: a query parameter the route does not take is refused with 422, never ignored (a
    misspelt filter would otherwise answer with everything)."""
    route = matched_route(app)
    sent = app.current_event.query_string_parameters or {}
    if route is not None and sent:
        unknown = sorted(set(sent) - _query_names(route.func))
        if unknown:
            taken = sorted(_query_names(route.func))
            raise Invalid(
                f"Unknown query parameter: {', '.join(unknown)}."
                + (f" This route takes {', '.join(taken)}." if taken else " This route takes none."),
                [{"field": name, "problem": "unknown query parameter"} for name in unknown],
            )
    return next_middleware(app)
