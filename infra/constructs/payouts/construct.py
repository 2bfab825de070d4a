"""Payouts: the monthly-payout state machine (Step Functions STANDARD, JSONPath; its definition is
monthly_payout.py beside this file), the function behind its tasks, and the EventBridge Scheduler schedule
that starts each brand's run for the month before.

  brand API (POST /v1/payout-runs) --StartExecution (name from brand+period)--> monthly-payout
  AWS CLI / boto3 start-execution ---------------------------------------------> monthly-payout
  schedule (day N, monthly) --> payouts function (action schedule) --StartExecution--> monthly-payout
  monthly-payout --tasks--> payouts function --> core table, ledger (its only writer)
  brand API (approve, reject) --SendTaskSuccess/Failure--> monthly-payout
"""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.api import ApiConstruct
from infra.constructs.data import DataConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.events import EventsConstruct
from infra.constructs.payouts.ledger import LedgerConstruct
from infra.constructs.payouts.monthly_payout import monthly_payout_definition
from infra.constructs.payouts.providers import PaymentProvidersConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge

STATE_MACHINE_NAME = "monthly-payout"


class PayoutsConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        api: ApiConstruct,
        ledger: LedgerConstruct,
        providers: PaymentProvidersConstruct,
        email: EmailConstruct,
        events: EventsConstruct,
        approval_days: int,
        schedule_day: int,
        distributed_above_shards: int,
    ) -> None:
        """`approval_days`: how long a run waits for finance; `schedule_day`: the day of each month the
        schedule starts the month before's runs; `distributed_above_shards`: above it the statements are
        built in a Distributed Map (100 partners a shard)."""
        super().__init__(scope, construct_id)
        table = data.core_table
        self.tasks_function = runtime.function(
            self,
            "PayoutTasksFunction",
            name="payouts",
            environment={
                "TABLE_NAME": table.table_name,
                "PAYOUT_DISTRIBUTED_ABOVE_SHARDS": str(distributed_above_shards),
                **ledger.environment,
                **email.environment,
            },
            timeout_seconds=300,
            memory_mb=1024,
        )
        table.grant_read_write_data(self.tasks_function)
        ledger.grant_post(self.tasks_function)  # the one writer of the ledger
        providers.grant_pay(self.tasks_function)  # and the one payer
        email.grant_send(self.tasks_function)  # the paid partner's statement
        acknowledge(
            self.tasks_function,
            "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
            "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
        )

        log_group = logs.LogGroup(
            self,
            "MonthlyPayoutLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "MonthlyPayout",
            state_machine_name=STATE_MACHINE_NAME,
            state_machine_type=sfn.StateMachineType.STANDARD,
            query_language=sfn.QueryLanguage.JSON_PATH,
            definition_body=sfn.DefinitionBody.from_chainable(
                monthly_payout_definition(self, self.tasks_function, Duration.days(approval_days), events.bus)
            ),
            tracing_enabled=True,
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )
        acknowledge(
            self.state_machine,
            "IAM5[Resource::<PayoutsPayoutTasksFunctionA50BB9D2.Arn>:*]",
            "CDK's Lambda task grant covers the function's versions (`:*`); it is this one function.",
        )
        execution_arn = (
            'arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":'
            '[":",{"Ref":"PayoutsMonthlyPayout8C12251F"}]}]}'
        )
        for suffix in (":*", "/*:*"):
            acknowledge(
                self.state_machine,
                f"IAM5[Resource::{execution_arn}{suffix}]",
                "The Distributed Map describes and stops its own child executions, this machine's only.",
            )
        acknowledge(
            self.state_machine,
            "IAM5[Resource::*]",
            "Log delivery and X-Ray actions of Step Functions only accept Resource '*'.",
        )
        # The schedule starts runs as the API does: a function of its own (the tasks function cannot hold
        # the state machine's ARN, which depends on it).
        self.schedule_function = runtime.function(
            self,
            "PayoutScheduleFunction",
            name="payouts",
            handler="schedule",
            environment={"TABLE_NAME": table.table_name},
            timeout_seconds=300,
        )
        table.grant_read_write_data(self.schedule_function)
        acknowledge(
            self.schedule_function,
            "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
            "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
        )
        self.grant_runs(self.schedule_function)
        schedule_role = iam.Role(
            self, "ScheduleRole", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com")
        )
        self.schedule_function.grant_invoke(schedule_role)
        acknowledge(
            schedule_role,
            "IAM5[Resource::<PayoutsPayoutScheduleFunction2ECF3CE6.Arn>:*]",
            "CDK's invoke grant covers the function's versions (`:*`); it is this one function.",
        )
        self.schedule = scheduler.CfnSchedule(
            self,
            "MonthlyPayoutSchedule",
            description="Starts every brand's payout run for the month before",
            schedule_expression=f"cron(0 6 {schedule_day} * ? *)",
            schedule_expression_timezone="UTC",
            flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
            target=scheduler.CfnSchedule.TargetProperty(
                arn=self.schedule_function.function_arn,
                role_arn=schedule_role.role_arn,
                input=json.dumps({}),
            ),
        )

        self.grant_runs(api.api_function)

    def grant_runs(self, function: lambda_.Function) -> None:
        """Start runs and answer their approval step (the brand API's function)."""
        function.add_environment("PAYOUT_STATE_MACHINE_ARN", self.state_machine.state_machine_arn)
        self.state_machine.grant_start_execution(function)
        iam.Grant.add_to_principal(
            grantee=function,
            actions=["states:SendTaskSuccess", "states:SendTaskFailure"],
            resource_arns=["*"],  # a task token names no resource
        )
