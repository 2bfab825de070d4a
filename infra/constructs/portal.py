"""The partner portal (/portal) and the partners' product pages (/p/{handle}): one function behind public
routes, and its grants. Sessions are signed with a key derived from the stack's one root secret (the links
construct's click secret) under the label "portal-session": no secret of its own ($0.40 a month each)."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import Throttle
from infra.constructs.api import throttle_routes
from infra.constructs.contracts.construct import ContractsConstruct
from infra.constructs.contracts.onboarding import OnboardingConstruct
from infra.constructs.data import DataConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge

PORTAL_PATHS = ("/portal", "/portal/{proxy+}", "/p/{handle}")


class PortalConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        http_api: apigw.HttpApi,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        email: EmailConstruct,
        onboarding: OnboardingConstruct,
        contracts: ContractsConstruct,
        public_base_url: str,
        throttle: Throttle,
        root_secret: secretsmanager.ISecret,
    ) -> None:
        """`root_secret`: the secret the session key is derived from (rotating it signs everyone out)."""
        super().__init__(scope, construct_id)
        self.portal_function = runtime.function(
            self,
            "PortalFunction",
            name="portal",
            environment={
                "TABLE_NAME": data.core_table.table_name,
                "PUBLIC_BASE_URL": public_base_url,
                "PORTAL_SECRET_ARN": root_secret.secret_arn,
                "TAX_KEY_ID": onboarding.tax_key.key_arn,
                **email.environment,
            },
            timeout_seconds=15,
        )
        data.core_table.grant_read_write_data(self.portal_function)
        email.grant_send(self.portal_function)
        root_secret.grant_read(self.portal_function)
        onboarding.grant_resume(self.portal_function)
        contracts.grant_signing(self.portal_function)
        acknowledge(
            self.portal_function,
            "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
            "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
        )
        integration = integrations.HttpLambdaIntegration("PortalIntegration", self.portal_function)
        routes: list[apigw.HttpRoute] = []
        for path in PORTAL_PATHS:
            methods = (
                [apigw.HttpMethod.GET]
                if path.startswith("/p/")
                else [apigw.HttpMethod.GET, apigw.HttpMethod.POST]
            )
            for route in http_api.add_routes(path=path, methods=methods, integration=integration):
                acknowledge(
                    route, "APIG4", "Partners sign in with a magic link and a session cookie, not an API key."
                )
                routes.append(route)
        throttle_routes(http_api, routes, throttle)
