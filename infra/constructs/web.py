"""The public surface (no API key): the application form, and later the partner pages and portal."""

from __future__ import annotations

from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_integrations as integrations
from constructs import Construct

from infra.config import Throttle
from infra.constructs.api import throttle_routes
from infra.constructs.data import DataConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge


class WebConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        http_api: apigw.HttpApi,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        email: EmailConstruct,
        throttle: Throttle,
        reserved_concurrency: int | None = None,
    ) -> None:
        """`throttle` limits each public route at the stage; `reserved_concurrency` caps the function."""
        super().__init__(scope, construct_id)
        self.public_function = runtime.function(
            self,
            "PublicFunction",
            name="public",
            environment={
                "TABLE_NAME": data.core_table.table_name,
                **email.environment,
                **data.search_environment,
            },
            reserved_concurrency=reserved_concurrency,
        )
        data.core_table.grant_read_write_data(self.public_function)
        data.grant_search(self.public_function)
        email.grant_send(self.public_function)
        acknowledge(
            self.public_function,
            "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
            "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
        )
        integration = integrations.HttpLambdaIntegration("PublicIntegration", self.public_function)
        form_routes = http_api.add_routes(
            path="/apply/{brand_slug}",
            methods=[apigw.HttpMethod.GET, apigw.HttpMethod.POST],
            integration=integration,
        )
        for route in form_routes:
            acknowledge(
                route, "APIG4", "The application form is public by design; it is rate-limited per source."
            )
        throttle_routes(http_api, form_routes, throttle)
