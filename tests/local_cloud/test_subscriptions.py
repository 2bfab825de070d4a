"""The local cloud's asynchronous invocations, log subscription deliveries and schedules behave like AWS's:
CloudWatch Logs' payload, a second of one log stream's events per delivery, two retries, then the
invocation record with its payload in the on-failure destination."""

from __future__ import annotations

import io
import json
import time
from typing import Any

from infra.local import subscriptions
from infra.local.subscriptions import AsyncConfig, AsyncInvoker, SubscriptionDeliverer, rate_seconds
from starling.links.deliveries import read_delivery


class FakeAws:
    """A function that fails its first `failures` invocations, and a queue that keeps what is sent."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.invocations: list[dict[str, Any]] = []
        self.sent: list[str] = []

    def __call__(self, service: str) -> Any:
        return self

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        self.invocations.append(json.loads(Payload))
        if len(self.invocations) <= self.failures:
            return {"Payload": io.BytesIO(b'{"errorMessage": "boom"}'), "FunctionError": "Unhandled"}
        return {"Payload": io.BytesIO(b"null")}

    def get_queue_url(self, QueueName: str) -> dict[str, str]:
        return {"QueueUrl": f"https://queue/{QueueName}"}

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:
        self.sent.append(MessageBody)


def _wait_for(condition: Any, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_failing_invocation_is_retried_twice_then_its_record_goes_to_the_on_failure_queue() -> None:
    aws = FakeAws(failures=3)
    subscriptions.ASYNC_CONFIGS["flaky"] = AsyncConfig(2, "arn:aws:sqs:us-east-1:123456789012:failures")
    invoker = AsyncInvoker(aws, time_scale=0.0001)
    invoker.invoke("flaky", {"n": 1})
    _wait_for(lambda: aws.sent)
    invoker.stop()
    assert len(aws.invocations) == 3
    (record,) = [json.loads(body) for body in aws.sent]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"] == {"n": 1}


def test_a_second_of_one_log_streams_events_is_one_delivery_in_cloudwatch_logs_format() -> None:
    aws = FakeAws(failures=0)
    invoker = AsyncInvoker(aws, time_scale=0.05)
    deliverer = SubscriptionDeliverer(invoker, time_scale=0.05)
    deliverer.start()
    line = '{"type":"click","id":"c1","at":1,"b":"brd","s":"maya","p":"ptn","g":null,"v":"v","src":"s"}'
    for n in range(3):  # three PutLogEvents calls from one redirect environment, within the window
        deliverer.enqueue("arn:fn", "ClickLines", "/aws/lambda/redirect", "env-1", [
            {"id": f"{n:056d}", "timestamp": 1_000 + n, "message": line.replace("c1", f"c{n}")}
        ])  # fmt: skip
    _wait_for(lambda: aws.invocations)
    deliverer.stop()
    invoker.stop()
    (payload,) = aws.invocations
    delivery = read_delivery(payload)
    assert delivery is not None and len(delivery.lines) == 3 and delivery.newest_ms == 1_002


def test_rate_expressions_are_read_and_cron_is_left_alone() -> None:
    assert rate_seconds("rate(5 minutes)") == 300
    assert rate_seconds("rate(1 hour)") == 3600
    assert rate_seconds("cron(0 12 * * ? *)") is None
