"""PynamoDB items of shared."""

from __future__ import annotations

from starling.shared.settings import get_settings

_settings = get_settings()


class CoreMeta:
    table_name = _settings.table_name
    region = _settings.region
