"""How every Starling function is built: arm64, the pinned Python runtime, the shared layers, its own
log group with retention, tracing on, and nothing granted by default."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.bundling import core_layer_code, dependencies_layer_code, function_code
from infra.config import StarlingConfig
from infra.nag import acknowledge


class RuntimeConstruct(Construct):
    """The layers shared by all functions, and the factory that makes a function."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StarlingConfig) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        # Every function made here, in order: monitoring watches each one (throttles).
        self.functions: list[lambda_.Function] = []
        self.runtime = lambda_.Runtime(config.python_runtime, lambda_.RuntimeFamily.PYTHON)
        version = config.python_runtime.removeprefix("python")
        self.dependencies_layer = lambda_.LayerVersion(
            self,
            "DependenciesLayer",
            code=dependencies_layer_code(version),
            compatible_runtimes=[self.runtime],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="Third-party packages of the starling layer, from uv.lock",
        )
        self.core_layer = lambda_.LayerVersion(
            self,
            "CoreLayer",
            code=core_layer_code(),
            compatible_runtimes=[self.runtime],
            compatible_architectures=[lambda_.Architecture.ARM_64],
            description="The starling package: domain, data access, integrations",
        )

    def function(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        environment: dict[str, str],
        memory_mb: int = 512,
        timeout_seconds: int = 10,
        quiet_platform_logs: bool = False,
        reserved_concurrency: int | None = None,
        handler: str = "handler",
    ) -> lambda_.Function:
        """A function whose code is `functions/<name>` and whose entry point is its handler module.
        `quiet_platform_logs` drops Lambda's START/END/REPORT lines (JSON log format, system level WARN):
        on the redirect they would cost more log ingestion than the click lines themselves.
        `reserved_concurrency` caps (and sets aside) the function's concurrent executions; None: no cap.
        `handler` is the module of `functions/<name>` whose `lambda_handler` is the entry point."""
        log_group = logs.LogGroup(
            scope,
            f"{construct_id}Logs",
            retention=logs.RetentionDays(self._log_retention()),
            removal_policy=RemovalPolicy.DESTROY,
        )
        function = lambda_.Function(
            scope,
            construct_id,
            runtime=self.runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler=f"functions.{name}.{handler}.lambda_handler",
            code=function_code(name),
            layers=[self.dependencies_layer, self.core_layer],
            memory_size=memory_mb,
            timeout=Duration.seconds(timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=reserved_concurrency,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON if quiet_platform_logs else None,
            system_log_level_v2=lambda_.SystemLogLevel.WARN if quiet_platform_logs else None,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO if quiet_platform_logs else None,
            environment={
                "POWERTOOLS_SERVICE_NAME": f"{self._config.service_name}-{name}",
                "POWERTOOLS_METRICS_NAMESPACE": "Starling",
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **environment,
            },
        )
        acknowledge(
            function,
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "The AWS-managed basic execution policy lets the function write its own logs and nothing else.",
        )
        acknowledge(
            function,
            "IAM5[Resource::*]",
            "X-Ray's PutTraceSegments and PutTelemetryRecords only accept Resource '*'.",
        )
        acknowledge(
            function,
            "L1",
            f"{self._config.python_runtime} is pinned on purpose: the newest runtime the code is tested on.",
        )
        self.functions.append(function)
        return function

    def _log_retention(self) -> str:
        return {30: "ONE_MONTH", 90: "THREE_MONTHS", 365: "ONE_YEAR"}.get(
            self._config.log_retention_days, "ONE_MONTH"
        )
