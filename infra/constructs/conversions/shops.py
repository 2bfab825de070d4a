"""The shop endpoints (`/t/conversions/...`, `/t/shopify/...`, `/t/snippet.js`), and the brand API's use of
the stack's one KMS key for the brands' shop secrets.

A customer-managed key costs $1 a month whether used or not, so the shop secrets share the key that keeps
partners' tax ids (contracts' onboarding). The API function may encrypt and decrypt with it only under an
encryption context whose purpose is a shop secret: a tax id's ciphertext (another purpose) stays out of its
reach, as before.

The routes go to the brand API's function, without the API-key authorizer: each request proves itself
with its signature, and that function already holds what recording an order needs (the core and
idempotency tables, the click secret). They are held to the stage's API limit, not the public pages'
tighter one: a shop's webhooks come in bursts at a sale, and a refused one is retried by the shop later.
"""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import Throttle
from infra.constructs.api import throttle_routes
from infra.nag import acknowledge

SIGNED_PATHS = (
    "/t/conversions/{brand_slug}",
    "/t/conversions/{brand_slug}/refunds",
    "/t/shopify/{brand_slug}",
)
SNIPPET_PATH = "/t/snippet.js"


class ShopConversionsConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        http_api: apigw.HttpApi,
        api_function: lambda_.Function,
        secrets_key: kms.IKey,
        throttle: Throttle,
    ) -> None:
        super().__init__(scope, construct_id)
        self.secrets_key = secrets_key
        api_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["kms:Encrypt", "kms:Decrypt"],  # exact: no data keys
                resources=[secrets_key.key_arn],
                conditions={"StringLike": {"kms:EncryptionContext:purpose": "shop-secret:*"}},
            )
        )
        api_function.add_environment("SHOP_SECRETS_KEY_ID", secrets_key.key_arn)

        integration = integrations.HttpLambdaIntegration("ShopIntegration", api_function)
        routes: list[apigw.HttpRoute] = []
        for path in SIGNED_PATHS:
            routes += http_api.add_routes(path=path, methods=[apigw.HttpMethod.POST], integration=integration)
        routes += http_api.add_routes(
            path=SNIPPET_PATH, methods=[apigw.HttpMethod.GET], integration=integration
        )
        # A limit of their own, as every route without an API key has, at the brand API's rate rather than
        # the public pages' tighter one: a shop's webhooks come in bursts at a sale.
        throttle_routes(http_api, routes, throttle)
        for route in routes:
            acknowledge(
                route,
                "APIG4",
                "A shop calls these without an API key by design: each request is verified by its HMAC "
                "signature before anything is written; the snippet is a public script.",
            )
