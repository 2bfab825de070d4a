"""The local cloud's pure parts: intrinsic functions, deployment order, route matching, environments, one
invocation at a time per function, and the Kinesis mapping's events, checkpoints and retries."""

from __future__ import annotations

import base64
import io
import json
import sys
import threading
import time
import types
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local import environ, invoker
from infra.local.environ import InvocationEnviron
from infra.local.gateway import Route
from infra.local.streams import KinesisMapping, KinesisPoller, kinesis_event_record, retry_from
from infra.local.template import Template


def _template() -> Template:
    return Template(
        resources={
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Environment": {"Variables": {"T": {"Ref": "Table"}}}},
                "DependsOn": ["Role"],
            },
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        },
        region="eu-west-1",
    )


def test_resources_are_deployed_after_what_they_reference() -> None:
    order = _template().deployment_order()
    assert order.index("Table") < order.index("Fn") and order.index("Role") < order.index("Fn")


def test_intrinsic_functions_resolve_against_deployed_resources() -> None:
    t = _template()
    t.deployed("Table", "core-table", Arn="arn:aws:dynamodb:eu-west-1:123456789012:table/core-table")
    assert t.resolve({"Ref": "Table"}) == "core-table"
    assert t.resolve({"Fn::GetAtt": ["Table", "Arn"]}).endswith("table/core-table")
    assert t.resolve({"Fn::Join": ["", ["x-", {"Ref": "AWS::Region"}]]}) == "x-eu-west-1"
    assert t.resolve({"Fn::Sub": "${Table}/${AWS::AccountId}"}) == "core-table/123456789012"
    assert t.resolve({"Fn::Sub": ["${A}-${Table.Arn}", {"A": "a"}]}).startswith("a-arn:aws:dynamodb")
    assert t.resolve({"Fn::Select": [1, {"Fn::Split": ["/", "a/b/c"]}]}) == "b"


def _route(key: str) -> Route:
    method, _, path = key.partition(" ")
    return Route(key, method, [s for s in path.split("/") if s], "fn", None)


def test_routes_match_like_api_gateway_exact_then_variables_then_greedy_then_default() -> None:
    routes = [
        _route(k) for k in ["$default", "ANY /v1/{proxy+}", "GET /{slug}", "GET /health", "GET /p/{handle}"]
    ]

    def pick(method: str, path: str) -> str:
        segments = [s for s in path.split("/") if s]
        found = [(r, p) for r in routes if (p := r.match(method, segments)) is not None]
        route, params = min(found, key=lambda m: m[0].specificity(method))
        return route.route_key + " " + repr(params)

    assert pick("GET", "/health") == "GET /health {}"
    assert pick("GET", "/abc123") == "GET /{slug} {'slug': 'abc123'}"
    assert pick("GET", "/p/maya") == "GET /p/{handle} {'handle': 'maya'}"
    assert pick("POST", "/v1/partners/p1/stage") == "ANY /v1/{proxy+} {'proxy': 'partners/p1/stage'}"
    assert pick("POST", "/abc123") == "$default {}"
    assert pick("GET", "/a/b/c") == "$default {}"


def test_each_thread_sees_its_own_invocation_environment() -> None:
    env = InvocationEnviron({"SHARED": "base"})
    seen: dict[str, tuple[str | None, str | None]] = {}

    def run(name: str) -> None:
        with env.invocation({"FN": name}):
            seen[name] = (env.get("FN"), env.get("SHARED"))

    threads = [threading.Thread(target=run, args=(f"fn{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {f"fn{i}": (f"fn{i}", "base") for i in range(8)}
    assert env.get("FN") is None


# One invocation at a time per function


class _Function:
    """Enough of moto's LambdaFunction for the in-process invoker; its handler is `probe_<name>.handler`."""

    def __init__(self, name: str, timeout: int = 5) -> None:
        self.function_name = name
        self.function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{name}"
        self.handler = f"probe_{name}.handler"
        self.memory_size, self.timeout, self.version, self.region = 128, timeout, "$LATEST", "eu-west-1"
        self.environment_vars: dict[str, str] = {}

    def invoke(self, event: Any = None) -> tuple[str, bool, str]:
        return invoker._invoke_in_process(self, json.dumps(event or {}))  # type: ignore[arg-type]


@pytest.fixture()
def functions(monkeypatch: pytest.MonkeyPatch) -> Callable[..., _Function]:
    """Functions whose handlers are given here, run by the invoker without moto or an AWS endpoint."""
    env = InvocationEnviron({})
    monkeypatch.setattr(environ, "install", lambda: env)
    monkeypatch.setattr(invoker, "_logs_client", lambda: None)
    monkeypatch.setitem(invoker._installed, "endpoint_url", "http://127.0.0.1:1")
    monkeypatch.setattr(invoker, "_environments", {})

    def make(name: str, handler: Callable[[Any, Any], Any], timeout: int = 5) -> _Function:
        module = types.ModuleType(f"probe_{name}")
        module.handler = handler  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        return _Function(name, timeout)

    return make


def _in_parallel(*calls: Callable[[], Any]) -> None:
    threads = [threading.Thread(target=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)


def test_one_function_serves_one_invocation_at_a_time_and_different_functions_run_side_by_side(
    functions: Callable[..., _Function],
) -> None:
    # Given two functions whose handlers note how many of their own invocations are running at once
    running = {"a": 0, "b": 0}
    most = {"a": 0, "b": 0, "together": 0}
    guard = threading.Lock()

    def handler_of(name: str) -> Callable[[Any, Any], Any]:
        def handler(event: Any, context: Any) -> None:
            with guard:
                running[name] += 1
                most[name] = max(most[name], running[name])
                most["together"] = max(most["together"], running["a"] + running["b"])
            time.sleep(0.02)
            with guard:
                running[name] -= 1

        return handler

    a, b = functions("a", handler_of("a")), functions("b", handler_of("b"))
    # When eight threads invoke each of them five times at once
    _in_parallel(*[lambda f=f: [f.invoke() for _ in range(5)] for f in [a, b] * 4])
    # Then each function ran one invocation at a time, and the two ran side by side
    assert most == {"a": 1, "b": 1, "together": 2}


def test_a_function_invoked_from_its_own_invocation_fails_instead_of_waiting_for_ever(
    functions: Callable[..., _Function],
) -> None:
    answers: dict[str, tuple[str, bool, str]] = {}

    # Given a function that invokes itself on its own thread, and one that waits on itself from another
    def same_thread(event: Any, context: Any) -> None:
        if not event:
            answers["same thread"] = looping.invoke({"inner": True})

    def other_thread(event: Any, context: Any) -> None:
        if not event:
            _in_parallel(lambda: answers.setdefault("other thread", waiting.invoke({"inner": True})))

    looping = functions("looping", same_thread)
    waiting = functions("waiting", other_thread, timeout=1)
    # When each is invoked
    started = time.monotonic()
    outer = [looping.invoke(), waiting.invoke()]
    # Then the inner invocations fail and say why, the outer ones finish, and nothing waits past a timeout
    assert time.monotonic() - started < 5
    assert [errored for _, errored, _ in outer] == [False, False]
    for inner in answers.values():
        assert inner[1] is True and json.loads(inner[0])["errorType"] == "EnvironmentBusy"
    assert "same thread" in json.loads(answers["same thread"][0])["errorMessage"]
    assert "whole timeout" in json.loads(answers["other thread"][0])["errorMessage"]


# Kinesis event source mappings

_STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/proof"
_ARRIVAL = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def _kinesis_record(sequence_number: str, data: str, key: str = "k") -> dict[str, Any]:
    return {
        "SequenceNumber": sequence_number,
        "PartitionKey": key,
        "Data": data.encode(),
        "ApproximateArrivalTimestamp": _ARRIVAL,
    }


class _FakeStream:
    """Enough of Kinesis (one shard), Lambda (a handler called here) and SQS for a KinesisPoller."""

    def __init__(self, handler: Callable[[list[str]], Any]) -> None:
        self.records: list[dict[str, Any]] = []
        self.handler = handler
        self.invocations: list[list[str]] = []
        self.sent: list[dict[str, Any]] = []

    def client(self, service: str) -> _FakeStream:
        return self

    def put(self, *data: str) -> None:
        for value in data:
            self.records.append(_kinesis_record(str(len(self.records) + 1), value))

    def list_shards(self, **kwargs: Any) -> dict[str, Any]:
        return {"Shards": [{"ShardId": "shardId-000000000000", "SequenceNumberRange": {}}]}

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        return {"ShardIterator": "0"}

    def get_records(self, **kwargs: Any) -> dict[str, Any]:
        start = int(kwargs["ShardIterator"])
        page = self.records[start : start + kwargs["Limit"]]
        return {"Records": page, "NextShardIterator": str(start + len(page))}

    def get_function_configuration(self, **kwargs: Any) -> dict[str, Any]:
        return {"FunctionArn": "arn:aws:lambda:eu-west-1:123456789012:function:fn", "Role": "role-arn"}

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        records = json.loads(kwargs["Payload"])["Records"]
        data = [base64.b64decode(r["kinesis"]["data"]).decode() for r in records]
        self.invocations.append(data)
        try:
            answer = self.handler(data)
        except ValueError as error:
            return {
                "Payload": io.BytesIO(json.dumps({"errorMessage": str(error)}).encode()),
                "FunctionError": "Unhandled",
            }
        failed = [
            {"itemIdentifier": r["kinesis"]["sequenceNumber"]} for r, d in zip(records, data) if d in answer
        ]
        return {"Payload": io.BytesIO(json.dumps({"batchItemFailures": failed}).encode())}

    def get_queue_url(self, **kwargs: Any) -> dict[str, Any]:
        return {"QueueUrl": kwargs["QueueName"]}

    def send_message(self, **kwargs: Any) -> None:
        self.sent.append(json.loads(kwargs["MessageBody"]))

    def poller(self, mapping: KinesisMapping) -> KinesisPoller:
        return KinesisPoller(mapping, self.client, "eu-west-1", time_scale=0)


def _drain(poller: KinesisPoller) -> None:
    while poller.poll_once():
        pass
    assert poller.last_error is None


def test_a_stream_mapping_from_the_template_takes_lambdas_defaults() -> None:
    mapping = KinesisMapping.from_properties(
        {"EventSourceArn": _STREAM_ARN, "StartingPosition": "LATEST"}, "fn"
    )
    assert mapping == KinesisMapping(_STREAM_ARN, "fn", batch_size=100, starting_position="LATEST")
    assert (mapping.maximum_retry_attempts, mapping.stream_name) == (-1, "proof")
    configured = KinesisMapping.from_properties(
        {
            "EventSourceArn": _STREAM_ARN,
            "BatchSize": 1000,
            "MaximumBatchingWindowInSeconds": 1,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumRetryAttempts": 2,
            "BisectBatchOnFunctionError": True,
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:eu-west-1:123456789012:q"}},
        },
        "fn",
    )
    assert (configured.batch_size, configured.batching_window_seconds, configured.maximum_retry_attempts) == (
        1000,
        1.0,
        2,
    )
    assert configured.report_batch_item_failures and configured.bisect_batch_on_function_error
    assert configured.on_failure_destination == "arn:aws:sqs:eu-west-1:123456789012:q"


def test_a_kinesis_event_record_has_the_shape_lambda_sends() -> None:
    record = kinesis_event_record(
        _kinesis_record("42", "hello"), "shardId-000000000001", _STREAM_ARN, "eu-west-1", "role"
    )
    assert record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "k",
            "sequenceNumber": "42",
            "data": "aGVsbG8=",
            "approximateArrivalTimestamp": _ARRIVAL.timestamp(),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": "shardId-000000000001:42",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "role",
        "awsRegion": "eu-west-1",
        "eventSourceARN": _STREAM_ARN,
    }


def test_the_checkpoint_lands_on_the_lowest_reported_failure_and_an_error_retries_the_whole_batch() -> None:
    batch = ["11", "12", "13", "14"]

    def failures(*ids: Any) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}

    assert retry_from(batch, failures("14", "12"), function_error=False, report_batch_item_failures=True) == 1
    assert retry_from(batch, failures(), function_error=False, report_batch_item_failures=True) is None
    assert retry_from(batch, None, function_error=False, report_batch_item_failures=True) is None
    assert (
        retry_from(batch, {"batchItemFailures": None}, function_error=False, report_batch_item_failures=True)
        is None
    )
    assert retry_from(batch, failures("99"), function_error=False, report_batch_item_failures=True) == 0
    assert retry_from(batch, failures(""), function_error=False, report_batch_item_failures=True) == 0
    assert retry_from(batch, failures("13"), function_error=False, report_batch_item_failures=False) is None
    assert retry_from(batch, None, function_error=True, report_batch_item_failures=True) == 0


def test_a_batch_that_keeps_failing_goes_to_the_on_failure_destination_after_the_retries() -> None:
    # Given a mapping that retries twice, and a function that always reports `poison` failed
    stream = _FakeStream(lambda data: {"poison"})
    stream.put("a", "b", "poison", "c")
    mapping = KinesisMapping(
        _STREAM_ARN,
        "fn",
        report_batch_item_failures=True,
        maximum_retry_attempts=2,
        on_failure_destination="arn:aws:sqs:eu-west-1:123456789012:failures",
    )

    # When the poller has delivered everything, and a later record
    poller = stream.poller(mapping)
    _drain(poller)
    stream.put("d")
    _drain(poller)

    # Then the retries start at the failed record, and the rest of the batch is given up after two of them
    assert stream.invocations == [["a", "b", "poison", "c"], ["poison", "c"], ["poison", "c"], ["d"]]
    (sent,) = stream.sent
    assert sent["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert sent["requestContext"]["approximateInvokeCount"] == 3
    assert sent["KinesisBatchInfo"] == {
        "shardId": "shardId-000000000000",
        "startSequenceNumber": "3",
        "endSequenceNumber": "4",
        "approximateArrivalOfFirstRecord": "2026-11-23T09:30:00.000Z",
        "approximateArrivalOfLastRecord": "2026-11-23T09:30:00.000Z",
        "batchSize": 2,
        "streamArn": _STREAM_ARN,
    }


def test_bisecting_a_batch_on_function_error_isolates_the_record_that_fails() -> None:
    # Given a mapping that bisects on error and does not retry, and a function that fails on `r5`
    def handler(data: list[str]) -> set[str]:
        if "r5" in data:
            raise ValueError("r5")
        return set()

    stream = _FakeStream(handler)
    stream.put(*[f"r{i}" for i in range(8)])
    mapping = KinesisMapping(
        _STREAM_ARN,
        "fn",
        maximum_retry_attempts=0,
        bisect_batch_on_function_error=True,
        on_failure_destination="arn:aws:sqs:eu-west-1:123456789012:failures",
    )

    # When the poller has delivered everything
    _drain(stream.poller(mapping))

    # Then the batch is halved until the failing record is alone, and only that record is given up
    assert stream.invocations == [
        [f"r{i}" for i in range(8)],
        ["r0", "r1", "r2", "r3"],
        ["r4", "r5", "r6", "r7"],
        ["r4", "r5"],
        ["r4"],
        ["r5"],
        ["r6", "r7"],
    ]
    assert [
        (s["KinesisBatchInfo"]["startSequenceNumber"], s["KinesisBatchInfo"]["batchSize"])
        for s in stream.sent
    ] == [("6", 1)]
