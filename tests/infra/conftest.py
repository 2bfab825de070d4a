"""Infra tests synthesize the real app in-process (bundling skipped: assets are hashed, not built)."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.stack import StarlingStack

# What an operator of a grown account sets (the CLI form: one JSON text under `starling`).
CONFIGURED = {
    "alarm_email": "ops@brand.example",
    "redirect_reserved_concurrency": 100,
    "public_reserved_concurrency": 10,
    "dashboard": False,
    "home_url": "https://www.brand.example/",
}


@pytest.fixture(scope="session")
def stack() -> StarlingStack:
    app = cdk.App(context={"aws:cdk:bundling-stacks": []})
    _, built = build_app(app)
    return built


@pytest.fixture(scope="session")
def template(stack: StarlingStack) -> Template:
    return Template.from_stack(stack)


@pytest.fixture(scope="session")
def configured_template() -> Template:
    """The stack with every optional setting turned, synthesized through cdk-nag like the default one."""
    app = cdk.App(context={"aws:cdk:bundling-stacks": [], "starling": json.dumps(CONFIGURED)})
    _, built = build_app(app)
    app.synth()
    return Template.from_stack(built)


@pytest.fixture(scope="session")
def kinesis_template() -> Template:
    """The stack with the click stream between the redirect's log group and the aggregator."""
    app = cdk.App(
        context={"aws:cdk:bundling-stacks": [], "starling": json.dumps({"click_capture": "kinesis"})}
    )
    _, built = build_app(app)
    app.synth()
    return Template.from_stack(built)
