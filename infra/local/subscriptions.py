"""Asynchronous invocations, and the log subscriptions and schedules that make them, as AWS runs them.

moto invokes a subscribed function inline, synchronously, inside PutLogEvents, with every event of the call
and no retry; it never fires a schedule. On AWS:
- CloudWatch Logs delivers a subscription's matching events to a function as an asynchronous invocation
  whose payload is `{"awslogs": {"data": base64(gzip(JSON))}}`, the JSON holding `logEvents[]` with `id`,
  `timestamp` and `message`; a delivery is one log stream's events of a short while (here: those that
  arrived within one second, scaled, at most `MAX_EVENTS`);
- an EventBridge rule with `rate(...)` invokes its function targets asynchronously, with a
  `Scheduled Event`;
- an asynchronous invocation that fails is retried `MaximumRetryAttempts` times (default 2), one and then two
  minutes apart (scaled); after the last, Lambda sends the invocation record, the request payload included,
  to the function's on-failure destination (`AWS::Lambda::EventInvokeConfig`).

So here PutLogEvents queues the events (`enqueue`), and one thread groups them into deliveries and hands
each to a small pool that invokes the function and retries it like Lambda's asynchronous queue.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

WINDOW_SECONDS = 1.0  # a delivery gathers one log stream's events of about a second
MAX_EVENTS = 10_000
RETRY_DELAYS_SECONDS = (60.0, 120.0)  # Lambda's waits before the first and the second retry
_MIN_SECONDS = 0.05
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class AsyncConfig:
    """A function's `AWS::Lambda::EventInvokeConfig`, with Lambda's defaults."""

    maximum_retry_attempts: int = 2
    on_failure_destination: str | None = None


# Function name -> its asynchronous invocation settings (filled in by provisioning).
ASYNC_CONFIGS: dict[str, AsyncConfig] = {}


def subscription_payload(
    owner: str, group: str, stream: str, filter_name: str, events: list[dict[str, Any]]
) -> dict[str, Any]:
    data = {
        "messageType": "DATA_MESSAGE",
        "owner": owner,
        "logGroup": group,
        "logStream": stream,
        "subscriptionFilters": [filter_name],
        "logEvents": events,
    }
    packed = gzip.compress(json.dumps(data, separators=(",", ":")).encode())
    return {"awslogs": {"data": base64.b64encode(packed).decode("ascii")}}


def scheduled_event(rule_arn: str, region: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


def rate_seconds(expression: str) -> float | None:
    """Seconds between runs of `rate(N unit)`; None for cron expressions (not run here)."""
    found = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression.strip())
    if not found:
        return None
    unit = {"minute": 60, "hour": 3600, "day": 86400}[found.group(2).rstrip("s")]
    return int(found.group(1)) * unit


@dataclass
class _Pending:
    function_arn: str
    filter_name: str
    group: str
    stream: str
    first_at: float
    events: list[dict[str, Any]] = field(default_factory=list)


class AsyncInvoker:
    """Lambda's asynchronous queue: invoke, retry a failure after a wait, then the on-failure destination."""

    def __init__(self, client: Callable[[str], Any], time_scale: float, workers: int = 4) -> None:
        self._client = client
        self._lambda = client("lambda")
        self._time_scale = time_scale
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambda-async")
        self._timers: list[threading.Timer] = []
        self._stopped = False
        self.failures_sent = 0

    def invoke(self, function: str, payload: dict[str, Any], attempt: int = 1) -> None:
        if not self._stopped:
            self._pool.submit(self._run, function, payload, attempt)

    def stop(self) -> None:
        self._stopped = True
        for timer in self._timers:
            timer.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, function: str, payload: dict[str, Any], attempt: int) -> None:
        try:
            result = self._lambda.invoke(FunctionName=function, Payload=json.dumps(payload).encode())
            answer = result["Payload"].read()
            error = result.get("FunctionError")
        except Exception as exc:  # the service itself failed: Lambda retries these too
            answer, error = json.dumps({"errorMessage": str(exc)}).encode(), "Unhandled"
        if not error:
            return
        name = function.rsplit(":", 1)[-1]
        config = ASYNC_CONFIGS.get(name, AsyncConfig())
        if attempt <= config.maximum_retry_attempts:
            delay = RETRY_DELAYS_SECONDS[min(attempt, len(RETRY_DELAYS_SECONDS)) - 1] * self._time_scale
            timer = threading.Timer(max(_MIN_SECONDS, delay), self.invoke, (function, payload, attempt + 1))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
            return
        if config.on_failure_destination:
            self._send_failure(config.on_failure_destination, function, payload, attempt, error, answer)

    def _send_failure(
        self,
        destination: str,
        function: str,
        payload: dict[str, Any],
        attempts: int,
        error: str,
        answer: bytes,
    ) -> None:
        try:
            response: Any = json.loads(answer or b"null")
        except ValueError:
            response = answer.decode(errors="replace")
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"{function}:$LATEST" if function.startswith("arn:") else function,
                "condition": "RetriesExhausted",
                "approximateInvokeCount": attempts,
            },
            "requestPayload": payload,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": error},
            "responsePayload": response,
        }
        service = destination.split(":")[2]
        if service == "sqs":
            sqs = self._client("sqs")
            url = sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[1])["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record))
        elif service == "sns":
            self._client("sns").publish(TopicArn=destination, Message=json.dumps(record))
        else:
            raise ValueError(f"the local cloud cannot send failed invocations to {destination}")
        self.failures_sent += 1


class SubscriptionDeliverer:
    """Groups each log stream's events into deliveries and invokes the subscribed function with each."""

    def __init__(self, invoker: AsyncInvoker, time_scale: float) -> None:
        self._invoker = invoker
        self._window = max(_MIN_SECONDS, WINDOW_SECONDS * time_scale)
        self._pending: dict[tuple[str, str, str, str], _Pending] = {}
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-subscriptions", daemon=True)
        self.deliveries = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        self._thread.join(timeout=5)

    def enqueue(
        self, function_arn: str, filter_name: str, group: str, stream: str, events: list[dict[str, Any]]
    ) -> None:
        with self._lock:
            key = (function_arn, filter_name, group, stream)
            pending = self._pending.get(key)
            if pending is None:
                pending = self._pending[key] = _Pending(
                    function_arn, filter_name, group, stream, time.monotonic()
                )
            pending.events.extend(events)
            self._lock.notify_all()

    def _due(self, now: float) -> list[_Pending]:
        due = []
        for key, pending in list(self._pending.items()):
            if len(pending.events) >= MAX_EVENTS or now - pending.first_at >= self._window:
                due.append(pending)
                del self._pending[key]
        return due

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                due = self._due(time.monotonic())
                if not due:
                    self._lock.wait(timeout=self._window / 2)
                    continue
            for pending in due:
                for start in range(0, len(pending.events), MAX_EVENTS):
                    events = pending.events[start : start + MAX_EVENTS]
                    payload = subscription_payload(
                        ACCOUNT, pending.group, pending.stream, pending.filter_name, events
                    )
                    self.deliveries += 1
                    self._invoker.invoke(pending.function_arn, payload)


class ScheduleRunner:
    """Runs each `rate(...)` rule's function targets, asynchronously, every (scaled) period."""

    def __init__(self, invoker: AsyncInvoker, region: str, time_scale: float) -> None:
        self._invoker = invoker
        self._region = region
        self._time_scale = time_scale
        self._rules: list[tuple[str, float, list[str]]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)

    def add(self, rule_arn: str, seconds: float, functions: list[str]) -> None:
        self._rules.append((rule_arn, max(_MIN_SECONDS * 4, seconds * self._time_scale), functions))

    def start(self) -> None:
        if self._rules:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        next_at = {rule: time.monotonic() + period for rule, period, _ in self._rules}
        while not self._stop.is_set():
            now = time.monotonic()
            for rule, period, functions in self._rules:
                if now >= next_at[rule]:
                    next_at[rule] = now + period
                    for function in functions:
                        self._invoker.invoke(function, scheduled_event(rule, self._region))
            self._stop.wait(max(0.01, min(next_at.values()) - time.monotonic()))


def install(deliverer: SubscriptionDeliverer) -> None:
    """Make moto's PutLogEvents queue a Lambda subscription's events for `deliverer` instead of invoking
    the function inline (other destinations, the Kinesis stream among them, stay moto's)."""
    from moto.logs.models import LogStream

    original = getattr(LogStream, "_starling_original_send", None) or LogStream._send_log_events

    def send_log_events(
        self: Any, service: str, destination_arn: str, filter_name: str, log_events: list[dict[str, Any]]
    ) -> None:
        if service == "lambda":
            deliverer.enqueue(
                destination_arn, filter_name, self.log_group.name, self.log_stream_name, log_events
            )
            return
        original(self, service, destination_arn, filter_name, log_events)

    LogStream._starling_original_send = original  # type: ignore[attr-defined]
    LogStream._send_log_events = send_log_events  # type: ignore[method-assign]
