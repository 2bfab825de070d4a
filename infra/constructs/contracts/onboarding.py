"""The onboarding workflow: a STANDARD state machine whose JSONPath definition is `onboarding.asl.json`
beside this file, its Lambda tasks (functions/onboarding), and the KMS key that encrypts partners' tax ids.

The definition invokes `start_signing_function` (the contracts construct's) with a task token, so the
child contract-signing execution reports back to this one; the same definition runs on the local cloud.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.data import DataConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.events import EventsConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge

DEFINITION = Path(__file__).with_name("onboarding.asl.json")
# Named, as the contract-signing one is, so that operators find it with the AWS CLI by its name.
STATE_MACHINE_NAME = "onboarding"


class OnboardingConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        email: EmailConstruct,
        events: EventsConstruct,
        start_signing_function: lambda_.IFunction,
        public_base_url: str,
        manager_inbox: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.tax_key = kms.Key(
            self,
            "TaxIdKey",
            description="Encrypts partners' tax ids (W-9, W-8BEN; never decrypted) and brands' shop secrets.",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.tasks_function = runtime.function(
            self,
            "OnboardingTasksFunction",
            name="onboarding",
            environment={
                "TABLE_NAME": data.core_table.table_name,
                "PUBLIC_BASE_URL": public_base_url,
                "MANAGER_INBOX": manager_inbox,
                **email.environment,
            },
            timeout_seconds=30,
        )
        data.core_table.grant_read_write_data(self.tasks_function)
        email.grant_send(self.tasks_function)
        acknowledge(
            self.tasks_function,
            "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
            "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
        )
        log_group = logs.LogGroup(
            self,
            "OnboardingLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "OnboardingStateMachine",
            state_machine_name=STATE_MACHINE_NAME,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(DEFINITION.read_text()),
            definition_substitutions={
                "OnboardingTasksArn": self.tasks_function.function_arn,
                "StartSigningArn": start_signing_function.function_arn,
                "EventBusName": events.bus.event_bus_name,
            },
            timeout=Duration.days(45),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        self.tasks_function.grant_invoke(self.state_machine)
        start_signing_function.grant_invoke(self.state_machine)
        events.grant_put(self.state_machine)
        # The await task resumes its own execution when the partner's steps were done before it waited. A
        # policy of its own: on the function's default policy it would make a cycle (function → policy →
        # state machine → function).
        iam.Policy(
            self,
            "ResumeOwnWorkflow",
            roles=[self.tasks_function.role] if self.tasks_function.role else [],
            statements=[
                iam.PolicyStatement(
                    actions=["states:SendTaskSuccess", "states:SendTaskFailure"],
                    resources=[self.state_machine.state_machine_arn],
                )
            ],
        )
        acknowledge(
            self.state_machine,
            "IAM5[Resource::*]",
            "Step Functions' log delivery and X-Ray actions only accept Resource '*'.",
        )
        for function in (self.tasks_function, start_signing_function):
            logical_id = Stack.of(self).get_logical_id(function.node.default_child)  # type: ignore[arg-type]
            acknowledge(
                self.state_machine,
                f"IAM5[Resource::<{logical_id}.Arn>:*]",
                "grant_invoke covers the function's versions and aliases (ARN:*); only this function.",
            )

    def grant_start(self, grantee: lambda_.Function) -> None:
        """Let the brand API start onboarding (moving a partner to approved), and read where it is."""
        self.state_machine.grant_start_execution(grantee)
        grantee.add_environment("ONBOARDING_STATE_MACHINE_ARN", self.state_machine.state_machine_arn)

    def grant_resume(self, grantee: iam.IGrantable) -> None:
        """Let the portal resume a waiting step (SendTaskSuccess with the token it keeps), and encrypt
        (only encrypt) tax ids."""
        self.state_machine.grant_task_response(grantee)
        self.tax_key.grant(grantee, "kms:Encrypt")
