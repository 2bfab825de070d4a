"""Infra tests synthesize the real app in-process (bundling skipped: assets are hashed, not built)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.stack import StarlingStack


@pytest.fixture(scope="session")
def stack() -> StarlingStack:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    _, built = build_app(app)
    return built


@pytest.fixture(scope="session")
def template(stack: StarlingStack) -> Template:
    return Template.from_stack(stack)
