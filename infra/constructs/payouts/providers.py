"""The payment providers' credentials: the Stripe secret API key, read by the functions that pay.

The secret is created with a random placeholder; the operator puts the platform's key in it after the first
deploy (`{"api_key": "sk_live_..."}`, README: Payouts). The local cloud's Stripe-compatible server takes any
key. `grant_pay` gives a function the secret, its id and the API base address, nothing else.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.nag import acknowledge


class PaymentProvidersConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stripe_api_base: str = "") -> None:
        super().__init__(scope, construct_id)
        self.stripe_api_base = stripe_api_base
        self.stripe_secret = secretsmanager.Secret(
            self,
            "StripeSecret",
            description='Stripe secret API key for payouts: {"api_key": "sk_live_..."}, set after deploy',
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}", generate_string_key="api_key", password_length=32,
                exclude_punctuation=True,
            ),
        )  # fmt: skip
        acknowledge(
            self.stripe_secret,
            "SMG4",
            "A Stripe key is rolled in Stripe's dashboard, not by a rotation function; the operator puts the "
            "new one here.",
        )

    def grant_pay(self, function: lambda_.Function) -> None:
        """Pay through Stripe: read the key (STRIPE_SECRET_ID) and know where Stripe is (STRIPE_API_BASE)."""
        self.stripe_secret.grant_read(function)
        function.add_environment("STRIPE_SECRET_ID", self.stripe_secret.secret_arn)
        function.add_environment("STRIPE_API_BASE", self.stripe_api_base)
