"""The one place where errors become HTTP answers: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from starling.api.openapi import allowed_methods
from starling.shared.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    StarlingError,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
)
from starling.shared.observability import logger

_STATUS: dict[type[StarlingError], int] = {
    BadRequest: 400,
    UnsupportedMediaType: 415,
    Invalid: 422,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> Response:
    body = {"error": {"code": code, "message": message, "details": details}}
    headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})} or None
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(body),
        headers=headers,
    )


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part != "body"]
        details.append({"field": ".".join(loc) or "body", "problem": err.get("msg") or err.get("type")})
    return details


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(StarlingError)
    def handle_domain_error(exc: StarlingError) -> Response:
        status = _STATUS.get(type(exc)) or (503 if isinstance(exc, Unavailable) else 400)
        retry = {"Retry-After": "5"} if status == 503 else None
        return error_response(status, exc.code, exc.message, exc.details, retry)

    @app.exception_handler(RequestValidationError)
    def handle_validation_error(exc: RequestValidationError) -> Response:
        details = _validation_details(exc)
        if any(d["problem"] == "json_invalid" or "JSON" in str(d["problem"]) for d in details):
            return error_response(400, "bad_json", "The body is not valid JSON.", details)
        return error_response(422, "invalid", "Some fields are missing or wrong.", details)

    @app.exception_handler(json.JSONDecodeError)
    def handle_bad_json(exc: json.JSONDecodeError) -> Response:
        return error_response(400, "bad_json", "The body is not valid JSON.", {"position": exc.pos})

    @app.not_found
    def handle_not_found(exc: Exception) -> Response:
        event = app.current_event
        allowed = allowed_methods(app, event.path)
        if allowed:
            return error_response(
                405,
                "method_not_allowed",
                f"{event.path} takes {', '.join(allowed)}, not {event.http_method}.",
                {"allowed": allowed},
                headers={"Allow": ", ".join(allowed)},
            )
        return error_response(404, "not_found", "There is nothing at this path.")

    @app.exception_handler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        logger.exception("Unhandled error")
        return error_response(500, "internal", "Something went wrong on our side; it has been logged.")
