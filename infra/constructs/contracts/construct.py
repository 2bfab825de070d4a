"""Contracts: the contract-signing state machine (Step Functions STANDARD, JSONPath; its definition is
signing.py beside this file), the function behind its tasks, and the function onboarding calls to sign a
contract as a nested step (`start_signing_function`).

  brand API (POST /v1/partners/{id}/contracts) --StartExecution--> contract-signing
  onboarding --lambda:invoke.waitForTaskToken--> start_signing --StartExecution--> contract-signing
  contract-signing --tasks--> contracts function --> core table, SES, SendTask* (parent's token)
  portal / brand API (sign, decline, countersign) --SendTaskSuccess/Failure--> contract-signing
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.api import ApiConstruct
from infra.constructs.contracts.signing import contract_signing_definition
from infra.constructs.data import DataConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge

STATE_MACHINE_NAME = "contract-signing"


class ContractsConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        email: EmailConstruct,
        api: ApiConstruct,
        public_base_url: str = "",
    ) -> None:
        """`api`: its function starts contracts and countersigns; `public_base_url` prefixes the
        portal links in emails."""
        super().__init__(scope, construct_id)
        table = data.core_table
        self.tasks_function = runtime.function(
            self,
            "SigningTasksFunction",
            name="contracts",
            environment={
                "TABLE_NAME": table.table_name,
                "PUBLIC_BASE_URL": public_base_url,
                **email.environment,
            },
            timeout_seconds=30,
        )
        table.grant_read_write_data(self.tasks_function)
        email.grant_send(self.tasks_function)
        self.grant_task_answers(self.tasks_function)  # the parent's token (onboarding)

        log_group = logs.LogGroup(
            self,
            "ContractSigningLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "ContractSigning",
            state_machine_name=STATE_MACHINE_NAME,
            state_machine_type=sfn.StateMachineType.STANDARD,
            query_language=sfn.QueryLanguage.JSON_PATH,
            definition_body=sfn.DefinitionBody.from_chainable(
                contract_signing_definition(self, self.tasks_function)
            ),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            self.state_machine,
            "IAM5[Resource::<ContractsSigningTasksFunctionBB85CB9A.Arn>:*]",
            "CDK's Lambda task grant covers the function's versions (`:*`); it is this one function.",
        )
        acknowledge(
            self.state_machine,
            "IAM5[Resource::*]",
            "Log delivery and X-Ray actions of Step Functions only accept Resource '*'.",
        )

        self.start_signing_function: lambda_.IFunction = runtime.function(
            self,
            "StartSigningFunction",
            name="contracts",
            handler="start_signing",
            environment=self.environment(table.table_name),
        )
        table.grant_read_write_data(self.start_signing_function)
        self.state_machine.grant_start_execution(self.start_signing_function)

        table.grant_read_write_data(api.api_function)
        self.grant_signing(api.api_function)
        for function in (self.tasks_function, self.start_signing_function):
            acknowledge(
                function,
                "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
                "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
            )

    def environment(self, table_name: str) -> dict[str, str]:
        return {
            "TABLE_NAME": table_name,
            "CONTRACT_SIGNING_STATE_MACHINE_ARN": self.state_machine.state_machine_arn,
        }

    def grant_signing(self, function: lambda_.Function) -> None:
        """What a function needs to drive contracts: start the workflow, answer its human steps, and the
        state machine's ARN in its environment (the portal's function and the brand API's)."""
        function.add_environment("CONTRACT_SIGNING_STATE_MACHINE_ARN", self.state_machine.state_machine_arn)
        self.state_machine.grant_start_execution(function)
        self.grant_task_answers(function)

    def grant_task_answers(self, grantee: iam.IGrantable) -> None:
        """SendTaskSuccess/Failure/Heartbeat: a task token names no resource, so IAM takes only '*' here."""
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
            resource_arns=["*"],
        )
        # Every function's IAM5[Resource::*] is acknowledged where it is made (infra/constructs/runtime.py).
