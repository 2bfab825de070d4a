"""Idempotent writes: a write sent again with the same Idempotency-Key gets the first answer back."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types

from starling.api.errors import error_response
from starling.logic.idempotency import IdempotencyRepository, StoredResponse

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
REPLAY_HEADER = "Idempotent-Replayed"


def _body_text(response: Response) -> str:
    body = response.body
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8")
    if isinstance(body, str):
        return body
    return json.dumps(body, default=str)


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
        record_id = f"{caller.brand_id}#{key}"
        earlier = repo.begin(record_id, fingerprint)
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
            repo.forget(record_id)
            raise
        if response.status_code >= 500:
            repo.forget(record_id)
        else:
            repo.finish(record_id, StoredResponse(status=response.status_code, body=_body_text(response)))
        return response

    return middleware
