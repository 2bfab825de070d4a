"""The application's EventBridge bus: what happens in Starling (`partner.activated`, ...) for integrations
and later for webhooks. Rules and targets are added by the constructs that consume events."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct

EVENT_SOURCE_ONBOARDING = "starling.onboarding"


class EventsConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.bus = events.EventBus(self, "Bus")

    def grant_put(self, grantee: iam.IGrantable) -> None:
        self.bus.grant_put_events_to(grantee)
