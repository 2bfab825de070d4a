"""A function granted `grant_pay` and deployed on the local cloud is pointed at the local Stripe server: the
template leaves STRIPE_API_BASE empty (Stripe's own), and the local cloud fills in its server's address."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_

from infra.constructs.payouts.providers import PaymentProvidersConstruct
from infra.local.cloud import LocalCloud


def _synth(folder: Path) -> Path:
    app = cdk.App(outdir=str(folder))
    stack = cdk.Stack(app, "PayingProof")
    providers = PaymentProvidersConstruct(stack, "PayingProofProviders")
    function = lambda_.Function(
        stack, "PayingProofFunction", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): return None"),
    )  # fmt: skip
    providers.grant_pay(function)
    app.synth()
    return folder / "PayingProof.template.json"


def test_a_paying_function_on_the_local_cloud_talks_to_the_local_stripe(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    template = cloud.deploy(_synth(tmp_path))
    [name] = [template.physical_ids[lid] for lid in template.of_type("AWS::Lambda::Function")]
    variables = cloud.client("lambda").get_function_configuration(FunctionName=name)["Environment"][
        "Variables"
    ]
    assert variables["STRIPE_API_BASE"] == cloud.stripe_url
    secret = cloud.client("secretsmanager").get_secret_value(SecretId=variables["STRIPE_SECRET_ID"])
    assert '"api_key"' in secret["SecretString"]
