"""Domain errors. The API maps each one to its HTTP answer in one place (starling.api.errors)."""

from __future__ import annotations

from typing import Any


class StarlingError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, message: str, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code


class Invalid(StarlingError):
    """The input breaks a rule; `details` names the fields at fault."""

    code = "invalid"


class BadRequest(StarlingError):
    """The request cannot be read at all (malformed or too deeply nested JSON, a bad header)."""

    code = "bad_request"


class UnsupportedMediaType(StarlingError):
    """The body is sent in a format the route does not take."""

    code = "unsupported_media_type"


class Unauthorized(StarlingError):
    code = "unauthorized"


class Forbidden(StarlingError):
    code = "forbidden"


class NotFound(StarlingError):
    code = "not_found"


class Conflict(StarlingError):
    code = "conflict"


class Unavailable(StarlingError):
    """Storage failed part way; `details` says what is not done, and the same request again finishes it."""

    code = "unavailable"
