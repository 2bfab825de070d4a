"""Idempotent writes: a write sent again with the same Idempotency-Key gets the first answer back.

A record belongs to the API key that made it (as at Stripe): another key sending the same Idempotency-Key
makes a new request and learns nothing of the first. The middleware runs after authentication and the
role check, so a replay is never an answer the caller could not have had. A response field that carries a
secret shown once (a new API key) is not kept: its replay says the secret was shown and how to get another.
Only successful answers are kept: a refused or failed request changed nothing, so it can be corrected and
sent again under the same key.

The records are kept behind the port below (IdempotencyRepository); starling.api.idempotency_store keeps
them in DynamoDB.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from starling.api.errors import error_response

RETENTION_SECONDS = 24 * 3600
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
REPLAY_HEADER = "Idempotent-Replayed"
# Top-level response fields that hold a secret shown once, and what a replay says in their place.
SECRET_FIELDS = {
    "key": "The key was shown once, in the first answer, and is not kept. If it was lost, revoke this key "
    "and create another.",
    "secret": "The secret was shown once, in the first answer, and is not kept. If it was lost, make "
    "another (the one before keeps working for its grace period).",
}


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str


@dataclass(frozen=True)
class IdempotencyRecord:
    request_hash: str
    response: StoredResponse | None  # None while the first request is still running


class IdempotencyRepository(Protocol):
    def begin(self, record_id: str, request_hash: str) -> IdempotencyRecord | None:
        """Claim the key; None when claimed now, else the earlier record."""
        ...

    def finish(self, record_id: str, response: StoredResponse) -> None: ...

    def forget(self, record_id: str) -> None: ...


def _body_text(response: Response) -> str:
    body = response.body
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    if isinstance(body, str):
        return body
    return json.dumps(body, default=str)


def without_secrets(body: str) -> str:
    """The response body as it may be kept: each secret field emptied, with a notice beside it."""
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        return body
    if not isinstance(parsed, dict) or not SECRET_FIELDS.keys() & parsed.keys():
        return body
    for field, notice in SECRET_FIELDS.items():
        if field in parsed:
            parsed[field] = None
            parsed[f"{field}_notice"] = notice
    return json.dumps(parsed)


def record_id(brand_id: str, key_id: str, idempotency_key: str) -> str:
    return f"{brand_id}#{key_id}#{idempotency_key}"


def idempotent_writes(repo_factory: Callable[[], IdempotencyRepository]) -> Callable[..., Response]:
    def middleware(app: APIGatewayHttpResolver, next_middleware: Callable[..., Response]) -> Response:
        event = app.current_event
        key = event.headers.get("idempotency-key")
        caller = app.context.get("principal")
        if key is None or event.http_method not in WRITE_METHODS or caller is None:
            return next_middleware(app)
        if not _KEY_RE.match(key):
            return error_response(
                400, "bad_idempotency_key", "Idempotency-Key is 1 to 255 printable ASCII characters."
            )
        fingerprint = hashlib.sha256(
            f"{event.http_method} {event.path}\n".encode() + (event.decoded_body or "").encode()
        ).hexdigest()
        repo = repo_factory()
        record = record_id(caller.brand_id, caller.key_id, key)
        earlier = repo.begin(record, fingerprint)
        if earlier is not None:
            if earlier.request_hash != fingerprint:
                return error_response(
                    422, "idempotency_key_reused", "This Idempotency-Key was used for a different request."
                )
            if earlier.response is None:
                return error_response(
                    409, "in_progress", "A request with this Idempotency-Key is in progress."
                )
            return Response(
                status_code=earlier.response.status,
                content_type=content_types.APPLICATION_JSON,
                body=earlier.response.body,
                headers={REPLAY_HEADER: "true"},
            )
        try:
            response = next_middleware(app)
        except Exception:
            repo.forget(record)
            raise
        if response.status_code >= 400:
            repo.forget(record)
        else:
            kept = StoredResponse(status=response.status_code, body=without_secrets(_body_text(response)))
            repo.finish(record, kept)
        return response

    return middleware
