"""The Starling stack composes one construct per domain."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from infra.config import StarlingConfig
from infra.constructs.api import ApiConstruct
from infra.constructs.contracts.construct import ContractsConstruct
from infra.constructs.contracts.onboarding import OnboardingConstruct
from infra.constructs.conversions.construct import ConversionsConstruct
from infra.constructs.conversions.shops import ShopConversionsConstruct
from infra.constructs.data import DataConstruct
from infra.constructs.discovery.construct import CreatorImportsConstruct
from infra.constructs.email import EmailConstruct
from infra.constructs.events import EventsConstruct
from infra.constructs.links.construct import LinksConstruct
from infra.constructs.monitoring import MonitoringConstruct
from infra.constructs.payouts.construct import PayoutsConstruct
from infra.constructs.payouts.ledger import LedgerConstruct
from infra.constructs.payouts.providers import PaymentProvidersConstruct
from infra.constructs.portal import PortalConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.constructs.web import WebConstruct


class StarlingStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: StarlingConfig, **kwargs: object
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        for key, value in config.tags.items():
            Tags.of(self).add(key, value)
        self.data = DataConstruct(self, "Data")
        # The payouts workflow is given `self.ledger.grant_post`; no other role writes to it.
        self.ledger = LedgerConstruct(self, "Ledger")
        # The payouts workflow's paying function is given `self.payment_providers.grant_pay`, no other.
        self.payment_providers = PaymentProvidersConstruct(
            self, "PaymentProviders", stripe_api_base=config.stripe_api_base
        )
        self.email = EmailConstruct(self, "Email", sender_email=config.sender_email)
        self.runtime = RuntimeConstruct(self, "Runtime", config=config)
        self.api = ApiConstruct(
            self, "Api", config=config, runtime=self.runtime, data=self.data, email=self.email
        )
        # Where emailed links (magic links, contracts) and product pages point: the configured domain, else
        # the API's own URL.
        public_base_url = config.public_base_url or self.api.http_api.api_endpoint
        self.imports = CreatorImportsConstruct(self, "CreatorImports", runtime=self.runtime, data=self.data)
        self.imports.grant_start(self.api.api_function, self.data)
        self.links = LinksConstruct(
            self,
            "Links",
            runtime=self.runtime,
            data=self.data,
            http_api=self.api.http_api,
            throttle=config.redirect_throttle,
            reserved_concurrency=config.redirect_reserved_concurrency,
            home_url=config.home_url,
            capture=config.click_capture,
            rollup_minutes=config.click_rollup_minutes,
        )
        self.links.grant_click_ids(self.api.api_function)  # conversions are attributed by click id
        self.contracts = ContractsConstruct(
            self,
            "Contracts",
            runtime=self.runtime,
            data=self.data,
            email=self.email,
            api=self.api,
            public_base_url=public_base_url,
        )
        self.web = WebConstruct(
            self,
            "Web",
            http_api=self.api.http_api,
            runtime=self.runtime,
            data=self.data,
            email=self.email,
            throttle=config.public_throttle,
            reserved_concurrency=config.public_reserved_concurrency,
        )
        self.events = EventsConstruct(self, "Events")

        self.onboarding = OnboardingConstruct(
            self,
            "Onboarding",
            runtime=self.runtime,
            data=self.data,
            email=self.email,
            events=self.events,
            start_signing_function=self.contracts.start_signing_function,
            public_base_url=public_base_url,
            manager_inbox=config.sender_email,
        )
        self.onboarding.grant_start(self.api.api_function)
        self.shop_conversions = ShopConversionsConstruct(
            self,
            "ShopConversions",
            http_api=self.api.http_api,
            api_function=self.api.api_function,
            secrets_key=self.onboarding.tax_key,  # the stack's one KMS key; see shops.py
            throttle=config.api_throttle,
        )
        self.conversions = ConversionsConstruct(
            self,
            "Conversions",
            runtime=self.runtime,
            data=self.data,
            email=self.email,
            events_bus=self.events,
            manager_inbox=config.sender_email,
        )
        self.conversions.grant_cost_recording(self.api.api_function)  # orders, posts and gifts are costs
        self.portal = PortalConstruct(
            self,
            "Portal",
            http_api=self.api.http_api,
            runtime=self.runtime,
            data=self.data,
            email=self.email,
            onboarding=self.onboarding,
            contracts=self.contracts,
            public_base_url=public_base_url,
            throttle=config.public_throttle,
            root_secret=self.links.click_secret,  # the session key is derived from it, under its own label
        )
        self.payouts = PayoutsConstruct(
            self,
            "Payouts",
            runtime=self.runtime,
            data=self.data,
            api=self.api,
            ledger=self.ledger,
            providers=self.payment_providers,
            email=self.email,
            events=self.events,
            approval_days=config.payout_approval_days,
            schedule_day=config.payout_schedule_day,
            distributed_above_shards=config.payout_distributed_above_shards,
        )
        # Last, so that it watches every function, queue and stream the constructs above made.
        self.monitoring = MonitoringConstruct(
            self,
            "Monitoring",
            http_api=self.api.http_api,
            functions=self.runtime.functions,
            dead_letter_queues=[*self.links.dead_letter_queues, *self.imports.dead_letter_queues],
            stream_consumers=[*self.links.stream_consumers],
            async_consumers=[*self.links.async_consumers],
            redirect_function=self.links.redirect_function,
            alarm_email=config.alarm_email,
            dashboard=config.dashboard,
        )
        CfnOutput(self, "CoreTableName", value=self.data.core_table.table_name)
