"""The CDK app: `cdk synth` and `cdk deploy` run this file (see cdk.json)."""

from __future__ import annotations

import aws_cdk as cdk

from infra.config import StarlingConfig
from infra.nag import add_checks
from infra.stack import StarlingStack


def build_app(app: cdk.App | None = None) -> tuple[cdk.App, StarlingStack]:
    app = app or cdk.App()
    config = StarlingConfig.from_context(app.node.try_get_context("starling") or {})
    stack = StarlingStack(app, config.stack_name, config=config)
    add_checks(app)
    return app, stack


if __name__ == "__main__":
    built, _ = build_app()
    built.synth()
