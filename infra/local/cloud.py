"""The local cloud: moto in server mode, the template deployed onto it, and the HTTP API in front."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from infra.local import dynamodb, environ, invoker, stepfunctions, subscriptions
from infra.local.gateway import Gateway, load_routes
from infra.local.pollers import SqsPoller
from infra.local.provision import Provisioning
from infra.local.streams import KinesisPoller
from infra.local.stripe_server import LocalStripe
from infra.local.template import Template

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class LocalCloudSettings:
    template_path: Path
    host: str = "127.0.0.1"
    moto_port: int = 4566
    api_port: int = 3000
    # The Stripe-compatible server (infra/local/stripe_server.py); 0: any free port (tests). `starling dev`
    # serves it on 12111.
    stripe_port: int = 0
    region: str = DEFAULT_REGION
    # Wait states and Retry back-offs sleep this share of their time (tests use a small one).
    time_scale: float = 1.0
    # Scheduled rules run at this share of their period (None: time_scale). `starling dev` runs the click
    # rollup's five minutes every 30 seconds, so a developer sees clicks counted within about a minute and a
    # half; the deployed schedule is the template's.
    schedule_scale: float | None = None


class LocalCloud:
    def __init__(self, settings: LocalCloudSettings) -> None:
        self.settings = settings
        self.template = Template.load(settings.template_path, settings.region)
        self._moto: ThreadedMotoServer | None = None
        self._gateway: Gateway | None = None
        self.stripe = LocalStripe(settings.host, settings.stripe_port)
        self._pollers: list[SqsPoller | KinesisPoller] = []
        self._async: subscriptions.AsyncInvoker | None = None
        self._deliverer: subscriptions.SubscriptionDeliverer | None = None
        self._schedules: list[subscriptions.ScheduleRunner] = []
        # (method, path, status, milliseconds) after each HTTP API request; None: nothing is reported.
        self.access_log: Callable[[str, str, int, float], None] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.moto_port}"

    @property
    def stripe_url(self) -> str:
        """The local Stripe-compatible server, for the stripe SDK's base address."""
        return self.stripe.url

    @property
    def api_url(self) -> str:
        assert self._gateway is not None, "start() first"
        return self._gateway.url

    def client(self, service: str) -> Any:
        # One attempt at Lambda: an invocation botocore retried after a dropped connection would run the
        # handler twice (a write answered 409 in_progress under load); API Gateway never retries.
        retries = {"total_max_attempts": 1} if service == "lambda" else {"max_attempts": 1}
        return boto3.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
            region_name=self.settings.region,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries=retries, read_timeout=900),  # type: ignore[arg-type]
        )

    def start(self) -> LocalCloud:
        s = self.settings
        for name, value in {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": s.region,
            "MOTO_PORT": str(s.moto_port),
        }.items():
            os.environ.setdefault(name, value)
        os.environ["MOTO_PORT"] = str(s.moto_port)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        environ.install()
        dynamodb.install()
        stepfunctions.install(time_scale=s.time_scale)
        invoker.install(self.endpoint_url, s.region)
        self._moto = ThreadedMotoServer(ip_address=s.host, port=s.moto_port, verbose=False)
        self._moto.start()
        self._async = subscriptions.AsyncInvoker(self.client, s.time_scale)
        self._deliverer = subscriptions.SubscriptionDeliverer(self._async, s.time_scale)
        subscriptions.install(self._deliverer)
        self._deliverer.start()
        self._gateway = Gateway([], self.client("lambda"), s.region, s.host, s.api_port)
        self._gateway.access_log = self.access_log
        self._gateway.start()
        self.stripe.start()
        self._deploy(self.template)
        return self

    def deploy(self, template_path: Path) -> Template:
        """Deploy another synthesized template onto the running cloud (tests use small ones)."""
        template = Template.load(template_path, self.settings.region)
        self._deploy(template)
        return template

    def _deploy(self, template: Template) -> None:
        assert self._gateway is not None, "start() first"
        provisioning = Provisioning(template, self.endpoint_url, self._gateway.url, self.stripe.url)
        provisioning.deploy_all()
        self._gateway.routes = [*self._gateway.routes, *load_routes(template)]
        for mapping in provisioning.sqs_mappings:
            poller = SqsPoller(
                mapping,
                self.client("sqs"),
                self.client("lambda"),
                self.settings.region,
                self.settings.time_scale,
            )
            poller.start()
            self._pollers.append(poller)
        if provisioning.schedules:
            assert self._async is not None
            s = self.settings
            scale = s.time_scale if s.schedule_scale is None else s.schedule_scale
            schedules = subscriptions.ScheduleRunner(self._async, s.region, scale)
            for rule_arn, seconds, functions in provisioning.schedules:
                schedules.add(rule_arn, seconds, functions)
            schedules.start()
            self._schedules.append(schedules)
        for stream_mapping in provisioning.kinesis_mappings:
            stream_poller = KinesisPoller(
                stream_mapping, self.client, self.settings.region, self.settings.time_scale
            )
            stream_poller.start()
            self._pollers.append(stream_poller)

    def stop(self) -> None:
        for poller in self._pollers:
            poller.stop()
        for schedules in self._schedules:
            schedules.stop()
        if self._deliverer:
            self._deliverer.stop()
        if self._async:
            self._async.stop()
        if self._gateway:
            self._gateway.stop()
        self.stripe.stop()
        if self._moto:
            self._moto.stop()

    def invoke_async(self, function_name: str, payload: dict[str, Any]) -> None:
        """Invoke a function as Lambda's asynchronous queue does: retries, then its on-failure destination."""
        assert self._async is not None, "start() first"
        self._async.invoke(function_name, payload)

    # What the template deployed
    def physical_id(self, logical_prefix: str, resource_type: str) -> str:
        """The physical id of the one resource of this type whose logical id starts with this prefix."""
        found = [
            self.template.physical_ids[lid]
            for lid in self.template.of_type(resource_type)
            if lid.startswith(logical_prefix)
        ]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources of type {resource_type} start with {logical_prefix}")
        return found[0]

    def function_environment(self, logical_prefix: str) -> dict[str, str]:
        """The environment a deployed function runs with, for running its code here (seeding, the CLI)."""
        name = self.physical_id(logical_prefix, "AWS::Lambda::Function")
        config = self.client("lambda").get_function_configuration(FunctionName=name)
        return {
            **config.get("Environment", {}).get("Variables", {}),
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_REGION": self.settings.region,
            "AWS_DEFAULT_REGION": self.settings.region,
        }
