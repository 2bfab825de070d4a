"""The HTTP API: a Lambda authorizer in front of /v1, the brand API function behind it, and the public
routes (health, OpenAPI, docs). The stage throttles every route (config.api_throttle) and the public
routes more tightly (`throttle_routes`), so a flood is refused by API Gateway before it reaches Lambda."""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import ACCESS_LOG_FORMAT, StarlingConfig, Throttle
from infra.constructs.data import DataConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge


class ApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StarlingConfig,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        email: EmailConstruct,
    ) -> None:
        super().__init__(scope, construct_id)
        table_env = {
            "TABLE_NAME": data.core_table.table_name,
            "IDEMPOTENCY_TABLE_NAME": data.idempotency_table.table_name,
            "PUBLIC_BASE_URL": config.public_base_url,
        }

        self.authorizer_function = runtime.function(
            self, "AuthorizerFunction", name="authorizer", environment=table_env, memory_mb=256
        )
        data.core_table.grant_read_data(self.authorizer_function)
        _acknowledge_table_indexes(self.authorizer_function)

        self.api_function = runtime.function(
            self,
            "ApiFunction",
            name="api",
            environment={**table_env, **email.environment, **data.search_environment},
            timeout_seconds=29,
            memory_mb=config.api_memory_mb,
        )
        email.grant_send(self.api_function)
        data.grant_search(self.api_function)
        data.core_table.grant_read_write_data(self.api_function)
        data.idempotency_table.grant_read_write_data(self.api_function)
        _acknowledge_table_indexes(self.api_function)

        access_logs = logs.LogGroup(self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH)
        self.http_api = apigw.HttpApi(self, "HttpApi", description="Starling: brand API and public surface")
        stage = _stage(self.http_api)
        stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(
            destination_arn=access_logs.log_group_arn,
            format=ACCESS_LOG_FORMAT,
        )
        stage.default_route_settings = apigw.CfnStage.RouteSettingsProperty(
            throttling_rate_limit=config.api_throttle.rate,
            throttling_burst_limit=config.api_throttle.burst,
        )

        authorizer = authorizers.HttpLambdaAuthorizer(
            "ApiKeyAuthorizer",
            self.authorizer_function,
            identity_source=["$request.header.Authorization"],
            response_types=[authorizers.HttpLambdaResponseType.SIMPLE],
            results_cache_ttl=Duration.seconds(config.authorizer_cache_seconds),
        )
        api_integration = integrations.HttpLambdaIntegration("ApiIntegration", self.api_function)
        self.http_api.add_routes(
            path="/v1/{proxy+}",
            methods=[apigw.HttpMethod.ANY],
            integration=api_integration,
            authorizer=authorizer,
        )
        public_routes: list[apigw.HttpRoute] = []
        for path in ("/health", "/openapi.json", "/docs"):
            for route in self.http_api.add_routes(
                path=path, methods=[apigw.HttpMethod.GET], integration=api_integration
            ):
                acknowledge(route, "APIG4", f"{path} is public by design; only /v1 needs an API key.")
                public_routes.append(route)
        # Anything else is answered by the API function's JSON 404.
        default_route = apigw.HttpRoute(
            self,
            "DefaultRoute",
            http_api=self.http_api,
            route_key=apigw.HttpRouteKey.DEFAULT,
            integration=api_integration,
        )
        acknowledge(
            default_route,
            "APIG4",
            "Unmatched paths get the API's JSON 404; the function itself refuses /v1 without a valid key.",
        )
        # These doors reach the brand API's own function without a key: held to the public limit.
        throttle_routes(self.http_api, [*public_routes, default_route], config.public_throttle)

        CfnOutput(self, "ApiUrl", value=self.http_api.api_endpoint)


def throttle_routes(http_api: apigw.HttpApi, routes: Iterable[apigw.HttpRoute], throttle: Throttle) -> None:
    """Give each route its own token bucket on the default stage, in place of the stage's default.
    The stage is made to wait for the routes: API Gateway refuses settings for a route key it has not
    got yet ("Unable to find Route by key")."""
    stage = _stage(http_api)
    settings: dict[str, object] = dict(stage.route_settings or {})
    for route in routes:
        route_key = route.node.default_child.route_key  # type: ignore[union-attr]
        # RouteSettings is untyped JSON in CloudFormation: keys as the RouteSettings type spells them.
        settings[route_key] = {"ThrottlingRateLimit": throttle.rate, "ThrottlingBurstLimit": throttle.burst}
        stage.node.add_dependency(route)
    stage.route_settings = settings


def _stage(http_api: apigw.HttpApi) -> apigw.CfnStage:
    stage = http_api.default_stage.node.default_child  # type: ignore[union-attr]
    assert isinstance(stage, apigw.CfnStage)
    return stage


def _acknowledge_table_indexes(function: Construct) -> None:
    acknowledge(
        function,
        "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
        "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
    )
