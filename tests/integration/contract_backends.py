"""Run a port's contract test twice: against its in-memory fake, and against the DynamoDB implementation on
moto, inside the API function's environment (as infra/local/seed.py does), so the table names are the
deployed ones."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra.local import environ

BACKENDS = ["in_memory", "dynamodb"]


def fake_or_dynamo(request: pytest.FixtureRequest, fake: Callable[[], Any], dynamo: str) -> Iterator[Any]:
    """The fake, or `dynamo` ("module:Class"), imported and made inside the API function's environment:
    the layer reads its settings when its items are first imported."""
    if request.param == "in_memory":
        yield fake()
        return
    cloud = request.getfixturevalue("cloud")
    module, _, name = dynamo.partition(":")
    with environ.install().invocation(cloud.function_environment("ApiApiFunction")):
        yield getattr(importlib.import_module(module), name)()
