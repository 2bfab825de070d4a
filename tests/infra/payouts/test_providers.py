"""The Stripe key is a secret only the paying function reads, with Stripe's address beside it."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from infra.config import StarlingConfig
from infra.constructs.payouts.providers import PaymentProvidersConstruct


def test_grant_pay_gives_the_function_the_secret_and_stripes_address_only() -> None:
    # Given a function granted to pay
    stack = cdk.Stack(cdk.App(), "ProvidersProof")
    providers = PaymentProvidersConstruct(stack, "PaymentProviders", stripe_api_base="https://stripe.example")
    function = lambda_.Function(
        stack, "Pay", runtime=lambda_.Runtime.PYTHON_3_13, handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context): return None"),
    )  # fmt: skip
    providers.grant_pay(function)
    template = Template.from_stack(stack)
    secret = stack.resolve(providers.stripe_secret.secret_arn)
    # Then it reads that secret and nothing else, and knows where Stripe is
    read = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": [{"Action": read, "Effect": "Allow", "Resource": secret}]}},
    )
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Environment": {
                "Variables": {"STRIPE_SECRET_ID": secret, "STRIPE_API_BASE": "https://stripe.example"}
            }
        },
    )
    template.has_resource_properties(
        "AWS::SecretsManager::Secret",
        {"GenerateSecretString": Match.object_like({"GenerateStringKey": "api_key"})},
    )


def test_a_stripe_address_that_is_not_https_is_refused_at_synth() -> None:
    with pytest.raises(ValueError, match="stripe_api_base"):
        StarlingConfig(stripe_api_base="http://api.stripe.com")
