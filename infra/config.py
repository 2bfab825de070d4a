"""Names and settings of the deployment, in one place; constructs get them as properties."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StarlingConfig:
    stack_name: str = "Starling"
    service_name: str = "starling"
    log_retention_days: int = 30
    # API Gateway caches the authorizer's answer per Authorization header for this long.
    authorizer_cache_seconds: int = 300
    # Public URL of the API (custom domain in production); empty means the execute-api URL.
    public_base_url: str = ""
    # Functions' runtime; the code also runs on the developer machine's Python 3.11.
    python_runtime: str = "python3.13"
    # The address partners get email from; SES must have it (or its domain) verified.
    sender_email: str = "partners@starling.example.com"
    tags: dict[str, str] = field(default_factory=lambda: {"app": "starling"})

    @classmethod
    def from_context(cls, context: dict[str, object]) -> StarlingConfig:
        return cls(
            stack_name=str(context.get("stack_name") or cls.stack_name),
            public_base_url=str(context.get("public_base_url") or ""),
            sender_email=str(context.get("sender_email") or cls.sender_email),
        )
