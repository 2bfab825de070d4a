"""The environment, read once into a typed settings object."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    table_name: str
    idempotency_table_name: str
    region: str
    public_base_url: str
    sender_email: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            table_name=os.environ.get("TABLE_NAME", "starling-core"),
            idempotency_table_name=os.environ.get("IDEMPOTENCY_TABLE_NAME", "starling-idempotency"),
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            public_base_url=os.environ.get("PUBLIC_BASE_URL", "").rstrip("/"),
            sender_email=os.environ.get("SENDER_EMAIL", "partners@starling.example.com"),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
