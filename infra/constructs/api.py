"""The HTTP API: a Lambda authorizer in front of /v1, the brand API function behind it, and the public
routes (health, OpenAPI, docs)."""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import StarlingConfig
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
            environment={**table_env, **email.environment},
            timeout_seconds=29,
        )
        email.grant_send(self.api_function)
        data.core_table.grant_read_write_data(self.api_function)
        data.idempotency_table.grant_read_write_data(self.api_function)
        _acknowledge_table_indexes(self.api_function)

        access_logs = logs.LogGroup(self, "AccessLogs", retention=logs.RetentionDays.ONE_MONTH)
        self.http_api = apigw.HttpApi(self, "HttpApi", description="Starling: brand API and public surface")
        stage = self.http_api.default_stage.node.default_child  # type: ignore[union-attr]
        stage.access_log_settings = apigw.CfnStage.AccessLogSettingsProperty(  # type: ignore[union-attr]
            destination_arn=access_logs.log_group_arn,
            format='{"requestId":"$context.requestId","ip":"$context.identity.sourceIp",'
            '"route":"$context.routeKey","status":"$context.status","latency":"$context.responseLatency"}',
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
        for path in ("/health", "/openapi.json", "/docs"):
            for route in self.http_api.add_routes(
                path=path, methods=[apigw.HttpMethod.GET], integration=api_integration
            ):
                acknowledge(route, "APIG4", f"{path} is public by design; only /v1 needs an API key.")
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

        CfnOutput(self, "ApiUrl", value=self.http_api.api_endpoint)


def _acknowledge_table_indexes(function: Construct) -> None:
    acknowledge(
        function,
        "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
        "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
    )
