"""The shop endpoints (`/t/conversions/...`, `/t/shopify/...`, `/t/snippet.js`) and the KMS key that keeps
the brands' shop secrets.

The routes go to the brand API's function, without the API-key authorizer: each request proves itself
with its signature, and that function already holds what recording an order needs (the core and
idempotency tables, the click secret). They are held to the stage's API limit, not the public pages'
tighter one: a shop's webhooks come in bursts at a sale, and a refused one is retried by the shop later.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.nag import acknowledge

SIGNED_PATHS = (
    "/t/conversions/{brand_slug}",
    "/t/conversions/{brand_slug}/refunds",
    "/t/shopify/{brand_slug}",
)
SNIPPET_PATH = "/t/snippet.js"


class ShopConversionsConstruct(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, http_api: apigw.HttpApi, api_function: lambda_.Function
    ) -> None:
        super().__init__(scope, construct_id)
        self.secrets_key = kms.Key(
            self,
            "ShopSecretsKey",
            description="Encrypts brands' shop secrets (Starling-Signature, Shopify webhooks) at rest.",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.secrets_key.grant(api_function, "kms:Encrypt", "kms:Decrypt")  # exact: no data keys
        api_function.add_environment("SHOP_SECRETS_KEY_ID", self.secrets_key.key_id)

        integration = integrations.HttpLambdaIntegration("ShopIntegration", api_function)
        routes: list[apigw.HttpRoute] = []
        for path in SIGNED_PATHS:
            routes += http_api.add_routes(path=path, methods=[apigw.HttpMethod.POST], integration=integration)
        routes += http_api.add_routes(
            path=SNIPPET_PATH, methods=[apigw.HttpMethod.GET], integration=integration
        )
        for route in routes:
            acknowledge(
                route,
                "APIG4",
                "A shop calls these without an API key by design: each request is verified by its HMAC "
                "signature before anything is written; the snippet is a public script.",
            )
