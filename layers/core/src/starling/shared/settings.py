"""The environment, read once into a typed settings object; a function missing a required variable fails
at start with the names of what is missing, never later with a default that points at the wrong table."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

REQUIRED = ("TABLE_NAME",)


class MissingSettings(RuntimeError):
    """The function's environment lacks variables it cannot run without."""


@dataclass(frozen=True)
class Settings:
    table_name: str
    idempotency_table_name: str
    region: str
    public_base_url: str
    sender_email: str
    contract_signing_state_machine_arn: str = ""
    search_bucket: str = ""
    click_secret_id: str = ""
    payout_state_machine_arn: str = ""
    event_bus_name: str = ""  # the application's EventBridge bus (campaign.budget_warning, ...)
    manager_inbox: str = ""  # where the brand's team is told when it named no addresses
    shop_secrets_key_id: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        missing = [name for name in REQUIRED if not env.get(name)]
        if missing:
            raise MissingSettings(f"Missing environment variables: {', '.join(missing)}.")
        return cls(
            table_name=env["TABLE_NAME"],
            idempotency_table_name=env.get("IDEMPOTENCY_TABLE_NAME", ""),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/"),
            sender_email=env.get("SENDER_EMAIL", "partners@starling.example.com"),
            contract_signing_state_machine_arn=env.get("CONTRACT_SIGNING_STATE_MACHINE_ARN", ""),
            search_bucket=env.get("SEARCH_BUCKET_NAME", ""),
            click_secret_id=env.get("CLICK_SECRET_ID", ""),
            payout_state_machine_arn=env.get("PAYOUT_STATE_MACHINE_ARN", ""),
            event_bus_name=env.get("EVENT_BUS_NAME", ""),
            manager_inbox=env.get("MANAGER_INBOX", ""),
            shop_secrets_key_id=env.get("SHOP_SECRETS_KEY_ID", ""),
        )


def get_settings() -> Settings:
    """The function's settings, parsed once per distinct environment. On Lambda that is once per execution
    environment; the local cloud runs many functions in one process, each seeing its own variables through
    `os.environ`, so the cache is keyed by the variables themselves and one function never reads another's."""
    return _settings_for(tuple(sorted(os.environ.items())))


@lru_cache(maxsize=64)
def _settings_for(environ: tuple[tuple[str, str], ...]) -> Settings:
    return Settings.from_env(dict(environ))
