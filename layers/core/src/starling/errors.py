"""Domain errors. The API maps each one to its HTTP answer in one place (starling.api.errors)."""

from __future__ import annotations

from typing import Any


class StarlingError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "error"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Invalid(StarlingError):
    """The input breaks a rule; `details` names the fields at fault."""

    code = "invalid"


class Unauthorized(StarlingError):
    code = "unauthorized"


class Forbidden(StarlingError):
    code = "forbidden"


class NotFound(StarlingError):
    code = "not_found"


class Conflict(StarlingError):
    code = "conflict"
