"""Conversions' own infrastructure: the daily run that accrues flat fees and retainers when due, and what
every function recording costs needs to warn a brand of its budget (the bus and the manager inbox).

    schedule (daily) --> FeesFunction --> core table (cost accruals, campaign spend)
                                     \\-> SES and the bus (campaign.budget_warning), once per campaign
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.constructs.data import DataConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.events import EventsConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge


class ConversionsConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: RuntimeConstruct,
        data: DataConstruct,
        email: EmailConstruct,
        events_bus: EventsConstruct,
        manager_inbox: str,
        fee_run_hours: int = 24,
    ) -> None:
        super().__init__(scope, construct_id)
        self._events = events_bus
        self.cost_environment = {
            "EVENT_BUS_NAME": events_bus.bus.event_bus_name,
            "MANAGER_INBOX": manager_inbox,
        }
        self.fees_function = runtime.function(
            self,
            "FeesFunction",
            name="fees",
            environment={
                "TABLE_NAME": data.core_table.table_name,
                **email.environment,
                **self.cost_environment,
            },
            timeout_seconds=300,
            memory_mb=512,
        )
        data.core_table.grant_read_write_data(self.fees_function)
        email.grant_send(self.fees_function)
        events_bus.grant_put(self.fees_function)
        acknowledge(
            self.fees_function,
            "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
            "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
        )
        events.Rule(
            self,
            "FeeRunSchedule",
            description="Accrues the flat fees and retainers that fell due (each once)",
            schedule=events.Schedule.rate(Duration.hours(fee_run_hours)),
            targets=[events_targets.LambdaFunction(self.fees_function, retry_attempts=2)],  # type: ignore[arg-type]
        )

    def grant_cost_recording(self, function: lambda_.Function) -> None:
        """A function that records costs can warn of a budget: the bus's name and the manager inbox in its
        environment, and PutEvents on the bus (SES and the table it has already)."""
        for name, value in self.cost_environment.items():
            function.add_environment(name, value)
        self._events.grant_put(function)
