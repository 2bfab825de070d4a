"""Names and settings of the deployment, in one place; constructs get them as properties.

Every setting can be given in the CDK context under `starling`, in cdk.json or on the command line:
`npx cdk deploy -c starling='{"alarm_email": "ops@example.com", "redirect_reserved_concurrency": 100}'`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


# The HTTP API stage's access log: one line per request, redirects included. No client IP, not even a
# truncated one (shoppers' IPs are personal data; see docs/decisions.md); abuse is handled by throttling.
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","route":"$context.routeKey","status":"$context.status",'
    '"latency":"$context.responseLatency"}'
)
# A redirect's line as CloudWatch Logs bills it: the values API Gateway fills in, plus 26 bytes of event
# overhead that CloudWatch counts per event.
ACCESS_LOG_EXAMPLE_VALUES = {
    "$context.requestId": "fYx3kGbDoAMEVkQ=",
    "$context.routeKey": "GET /{slug}",
    "$context.status": "302",
    "$context.responseLatency": "11",
}
CLOUDWATCH_EVENT_OVERHEAD_BYTES = 26


def access_log_line_bytes() -> int:
    """The billed size of one redirect's access log line."""
    line = ACCESS_LOG_FORMAT
    for variable, value in ACCESS_LOG_EXAMPLE_VALUES.items():
        line = line.replace(variable, value)
    return len(line.encode()) + CLOUDWATCH_EVENT_OVERHEAD_BYTES


@dataclass(frozen=True)
class Throttle:
    """API Gateway's token bucket for a route: `rate` requests per second, up to `burst` at once."""

    rate: int
    burst: int


@dataclass(frozen=True)
class StarlingConfig:
    stack_name: str = "Starling"
    service_name: str = "starling"
    log_retention_days: int = 30
    # API Gateway caches the authorizer's answer per Authorization header for this long.
    authorizer_cache_seconds: int = 300
    # Public URL of the API (custom domain in production); empty means the execute-api URL.
    public_base_url: str = ""
    # Where a shopper who opens an unknown vanity link is offered to go instead (the brand's shop or site,
    # https); empty: the 404 page only says to check the address.
    home_url: str = ""
    # Functions' runtime; the code also runs on the developer machine's Python 3.11.
    python_runtime: str = "python3.13"
    # The address partners get email from; SES must have it (or its domain) verified.
    sender_email: str = "partners@starling.example.com"

    # Throttling on the HTTP API's stage, in requests per second (rate) and the token bucket's size (burst).
    # A request over the limit gets API Gateway's 429 without invoking anything, so a flood cannot spend
    # the account's Lambda concurrency, nor much money. API Gateway's own account limit (10,000 rps, burst
    # 5,000 per region) is above all of these. Why these numbers: docs/decisions.md, 2026-11-29.
    # Every route without its own limit: the brand API (/v1, through the authorizer) above all.
    api_throttle_rate: int = 200
    api_throttle_burst: int = 400
    # GET and HEAD /{slug}, the vanity links, each route its own bucket: the one public route whose
    # traffic is meant to be large (a viral post).
    redirect_throttle_rate: int = 2000
    redirect_throttle_burst: int = 2000
    # The other public routes: the application form (/apply/{brand_slug}) and the brand API function's
    # public doors (/health, /openapi.json, /docs and $default), which a flood would otherwise turn
    # against the brand API's own function.
    public_throttle_rate: int = 20
    public_throttle_burst: int = 40

    # Reserved concurrency of the public functions: a cap on what they can take from the account's
    # concurrency (and a guarantee of it). None (or 0 in the context) reserves nothing: a new account's
    # limit can be 10, and Lambda refuses any reservation that leaves fewer than 10 unreserved, so a
    # reservation by default would make `cdk deploy` fail there. At the usual limit of 1,000, set
    # 100 for the redirect and 10 for the public function (docs/decisions.md, 2026-11-29).
    redirect_reserved_concurrency: int | None = None
    public_reserved_concurrency: int | None = None

    # How click lines reach the aggregator. "lambda" (the default): the redirect's log group's subscription
    # invokes the aggregator straight away, which records each delivery once, and a schedule counts them
    # every `click_rollup_minutes` (figures lag by up to that plus a minute; fewer minutes cost more per
    # click: `make bench`); nothing is billed by the hour. "kinesis": an on-demand Kinesis stream
    # between ($0.04 an hour, $29.20 a month, whatever the traffic): figures within seconds instead of at the
    # next rollup; `make bench` finds no volume where it costs less (README, "What it costs").
    click_capture: str = "lambda"
    click_rollup_minutes: int = 5

    # Where alarms are emailed (an SNS email subscription, confirmed by the recipient); empty: no
    # subscription, the alarms still go to the topic.
    alarm_email: str = ""
    # The CloudWatch dashboard: free for an account's first three, else $3 a month.
    dashboard: bool = True
    # Memory of the brand API function, which keeps each owner's creator search index warm: about 150 MB
    # per million creators searched plus the runtime, and Lambda's CPU grows with memory (a full vCPU at
    # 1,769 MB), which is what a cold index load spends. Billed per call, never at rest.
    # Creator search runs in this function on segments in S3 (docs/decisions.md, 2026-11-29, issue 16). A
    # hosted search engine (OpenSearch) is not an option here: its smallest production domain costs about
    # $75 a month at rest (two t3.small.search nodes), and it pays only past ~10M creators per owner or
    # thousands of searches a minute, where this function's memory (10 GB at most) runs out.
    api_memory_mb: int = 2048
    # The monthly payout: the schedule starts every brand's run for the month before on this day of the
    # month (06:00 UTC; 1 to 28); a run waits this many days for finance's approval, then ends `failed`
    # with nothing paid. Statements are built 100 partners a shard; above this many shards a Distributed
    # Map builds them (docs/decisions.md, 2026-12-07).
    payout_schedule_day: int = 3
    payout_approval_days: int = 7
    payout_distributed_above_shards: int = 40
    # Stripe's API base address for the payouts' transfers; empty: Stripe's own (https://api.stripe.com).
    # The local cloud points it at its Stripe-compatible server (infra/local/stripe_server.py).
    stripe_api_base: str = ""
    tags: dict[str, str] = field(default_factory=lambda: {"app": "starling"})

    @property
    def api_throttle(self) -> Throttle:
        return Throttle(rate=self.api_throttle_rate, burst=self.api_throttle_burst)

    @property
    def redirect_throttle(self) -> Throttle:
        return Throttle(rate=self.redirect_throttle_rate, burst=self.redirect_throttle_burst)

    @property
    def public_throttle(self) -> Throttle:
        return Throttle(rate=self.public_throttle_rate, burst=self.public_throttle_burst)

    def __post_init__(self) -> None:
        if self.click_capture not in ("lambda", "kinesis"):
            raise ValueError(f"click_capture must be lambda or kinesis; got {self.click_capture!r}")
        if self.click_rollup_minutes < 1:
            raise ValueError(f"click_rollup_minutes must be at least 1; got {self.click_rollup_minutes}")
        if self.stripe_api_base and not self.stripe_api_base.startswith("https://"):
            raise ValueError(f"stripe_api_base must be an https URL, or empty; got {self.stripe_api_base!r}")
        if self.home_url and not self.home_url.startswith("https://"):
            raise ValueError(f"home_url must be an https URL, or empty; got {self.home_url!r}")
        if not 1 <= self.payout_schedule_day <= 28:
            raise ValueError(f"payout_schedule_day must be 1 to 28; got {self.payout_schedule_day}")
        if self.payout_approval_days < 1:
            raise ValueError(f"payout_approval_days must be at least 1; got {self.payout_approval_days}")
        for name in ("redirect_reserved_concurrency", "public_reserved_concurrency"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, or None for no reservation; got {value}")
        for name in (f.name for f in fields(self) if f.name.endswith(("_throttle_rate", "_throttle_burst"))):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1; got {getattr(self, name)}")

    @classmethod
    def from_context(cls, context: Mapping[str, object] | str) -> StarlingConfig:
        if isinstance(context, str):  # `-c starling='{...}'` on the command line arrives as text
            context = json.loads(context)
        if not isinstance(context, Mapping):
            raise TypeError(f"the starling context must be an object, got {context!r}")
        return cls(
            stack_name=str(context.get("stack_name") or cls.stack_name),
            public_base_url=str(context.get("public_base_url") or ""),
            home_url=str(context.get("home_url") or ""),
            sender_email=str(context.get("sender_email") or cls.sender_email),
            api_throttle_rate=_int(context, "api_throttle_rate", cls.api_throttle_rate),
            api_throttle_burst=_int(context, "api_throttle_burst", cls.api_throttle_burst),
            redirect_throttle_rate=_int(context, "redirect_throttle_rate", cls.redirect_throttle_rate),
            redirect_throttle_burst=_int(context, "redirect_throttle_burst", cls.redirect_throttle_burst),
            public_throttle_rate=_int(context, "public_throttle_rate", cls.public_throttle_rate),
            public_throttle_burst=_int(context, "public_throttle_burst", cls.public_throttle_burst),
            redirect_reserved_concurrency=_int(context, "redirect_reserved_concurrency", 0) or None,
            public_reserved_concurrency=_int(context, "public_reserved_concurrency", 0) or None,
            click_capture=str(context.get("click_capture") or cls.click_capture),
            click_rollup_minutes=_int(context, "click_rollup_minutes", cls.click_rollup_minutes),
            alarm_email=str(context.get("alarm_email") or ""),
            api_memory_mb=_int(context, "api_memory_mb", cls.api_memory_mb),
            payout_schedule_day=_int(context, "payout_schedule_day", cls.payout_schedule_day),
            payout_approval_days=_int(context, "payout_approval_days", cls.payout_approval_days),
            payout_distributed_above_shards=_int(
                context, "payout_distributed_above_shards", cls.payout_distributed_above_shards
            ),
            dashboard=str(context.get("dashboard", True)).lower() not in ("false", "0", "no", "off"),
        )


def _int(context: Mapping[str, object], key: str, default: int) -> int:
    value = context.get(key)
    return default if value is None or value == "" else int(str(value))
