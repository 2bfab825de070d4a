"""Settings are read once per distinct environment, never one function's for another's."""

from __future__ import annotations

import pytest

from starling.shared.settings import MissingSettings, Settings, get_settings


def test_each_environment_gets_its_own_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "api-table")
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", "api-idempotency")
    api = get_settings()

    # The local cloud runs another function in the same process with its own variables.
    monkeypatch.setenv("TABLE_NAME", "imports-table")
    monkeypatch.delenv("IDEMPOTENCY_TABLE_NAME")
    imports = get_settings()

    assert (api.table_name, api.idempotency_table_name) == ("api-table", "api-idempotency")
    assert (imports.table_name, imports.idempotency_table_name) == ("imports-table", "")
    assert get_settings() is imports  # parsed once per environment, not once per call


def test_a_missing_table_name_is_named() -> None:
    with pytest.raises(MissingSettings, match="TABLE_NAME"):
        Settings.from_env({"AWS_REGION": "eu-west-1"})
