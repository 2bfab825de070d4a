"""Kinesis event source mappings on the local cloud behave like Lambda's: each shard in order, in real
batches; a function error retries the batch from its first record; a reported failure becomes the
checkpoint; and a record that keeps failing goes to the on-failure queue after the retries while the stream
moves on."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer

from infra.local.cloud import LocalCloud
from infra.local.template import Template


@dataclass(frozen=True)
class Proof:
    kinesis: Any
    dynamodb: Any
    sqs: Any
    stream_name: str
    stream_arn: str
    table: str
    failures_url: str

    def put(self, records: list[tuple[str, str, str, str]]) -> list[dict[str, str]]:
        """Put (run, partition key, kind, name) records in one call; their sequence numbers and shards."""
        response = self.kinesis.put_records(
            StreamName=self.stream_name,
            Records=[
                {"Data": json.dumps({"run": run, "kind": kind, "name": name}).encode(), "PartitionKey": key}
                for run, key, kind, name in records
            ],
        )
        assert response["FailedRecordCount"] == 0
        return list(response["Records"])

    def entries(self, pk: str, sk: str) -> list[Any]:
        item = self.dynamodb.get_item(TableName=self.table, Key={"pk": {"S": pk}, "sk": {"S": sk}}).get(
            "Item"
        )
        return list(TypeDeserializer().deserialize(item["entries"])) if item and "entries" in item else []

    def batches(self, run: str) -> list[list[str]]:
        """The run's share of each batch the function was invoked with, in order."""
        return [list(batch) for batch in self.entries(f"STREAM#{run}", "batches")]

    def done(self, run: str, key: str) -> list[str]:
        """The records of one partition key the function processed successfully, in order."""
        return [str(name) for name in self.entries(f"STREAM#{run}#{key}", "done")]

    def deliveries(self, name: str) -> int:
        item = self.dynamodb.get_item(
            TableName=self.table, Key={"pk": {"S": f"DELIVERY#{name}"}, "sk": {"S": "count"}}
        ).get("Item")
        return int(item.get("deliveries", {"N": "0"})["N"]) if item else 0


@pytest.fixture()
def proof(cloud: LocalCloud, proof_template: Template) -> Proof:
    physical = proof_template.physical_ids
    stream = next(lid for lid in proof_template.of_type("AWS::Kinesis::Stream"))
    failures = next(
        lid for lid in proof_template.of_type("AWS::SQS::Queue") if lid.startswith("ProofStreamFailures")
    )
    table = next(lid for lid in proof_template.of_type("AWS::DynamoDB::Table"))
    return Proof(
        kinesis=cloud.client("kinesis"),
        dynamodb=cloud.client("dynamodb"),
        sqs=cloud.client("sqs"),
        stream_name=physical[stream],
        stream_arn=proof_template.attributes[stream]["Arn"],
        table=physical[table],
        failures_url=physical[failures],
    )


def _wait_until(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not true after {seconds} s")
        time.sleep(0.05)


def _run() -> str:
    return uuid.uuid4().hex[:8]


def test_records_reach_the_function_once_each_in_order_per_partition_key_and_in_real_batches(
    proof: Proof,
) -> None:
    # Given the proof stack's stream (on-demand, several shards), mapped to its function in batches of 1000
    run = _run()
    keys = [f"{run}-key-{k}" for k in range(6)]
    expected = {key: [f"{key}-{i}" for i in range(10)] for key in keys}

    # When records of six partition keys are put interleaved, in one call
    proof.put([(run, key, "ok", expected[key][i]) for i in range(10) for key in keys])

    # Then each key's records are processed in the order they were put, each exactly once
    _wait_until(lambda: all(len(proof.done(run, key)) >= 10 for key in keys))
    time.sleep(0.3)  # a few poll cycles: nothing is delivered a second time
    assert {key: proof.done(run, key) for key in keys} == expected
    # And the function got real batches, each record in exactly one of them
    batches = proof.batches(run)
    assert sorted(name for batch in batches for name in batch) == sorted(
        n for ns in expected.values() for n in ns
    )
    assert max(len(batch) for batch in batches) > 1


def test_a_record_the_function_reports_failed_is_delivered_again_from_that_record_on(proof: Proof) -> None:
    # Given six records of one partition key, the third of which the function reports failed the first time
    run = _run()
    key = f"{run}-key"
    names = [f"{run}-{i}" for i in range(6)]
    kinds = ["ok", "ok", "flaky", "ok", "ok", "ok"]

    # When they are put in one call
    proof.put([(run, key, kind, name) for kind, name in zip(kinds, names, strict=True)])

    # Then every record is processed in the end, the last ones again after the failed one
    _wait_until(lambda: proof.done(run, key)[-4:] == names[2:])
    assert set(proof.done(run, key)) == set(names)
    batches = proof.batches(run)
    first = next(i for i, batch in enumerate(batches) if names[2] in batch)
    retried = batches[first][batches[first].index(names[2]) :]
    # And the next batch starts again at the failed record, with the records after it in its batch
    assert len(retried) > 1
    assert batches[first + 1][: len(retried)] == retried
    # And the records before the failed one are not delivered again
    delivered = [name for batch in batches for name in batch]
    assert [delivered.count(name) for name in names[:3]] == [1, 1, 2]


def test_a_function_error_retries_the_whole_batch_from_its_first_record(proof: Proof) -> None:
    # Given five records of one partition key, the third of which makes the function fail the first time
    run = _run()
    key = f"{run}-key"
    names = [f"{run}-{i}" for i in range(5)]
    kinds = ["ok", "ok", "crash", "ok", "ok"]

    # When they are put in one call
    proof.put([(run, key, kind, name) for kind, name in zip(kinds, names, strict=True)])

    # Then every record is processed in the end, in order
    _wait_until(lambda: proof.done(run, key)[-len(names) :] == names)
    batches = proof.batches(run)
    first = next(i for i, batch in enumerate(batches) if names[2] in batch)
    failed = batches[first]
    # And the batch that failed is delivered again whole, from its first record
    assert failed.index(names[2]) > 0
    assert batches[first + 1][: len(failed)] == failed
    assert [name for batch in batches for name in batch].count(names[2]) == 2


def test_a_record_that_keeps_failing_goes_to_the_on_failure_queue_after_the_retries_and_the_stream_moves_on(
    proof: Proof,
) -> None:
    # Given a record the function always reports failed (the mapping retries twice, then gives up)
    run = _run()
    key = f"{run}-key"
    poison, after = f"{run}-poison", f"{run}-after"

    # When it is put
    (put,) = proof.put([(run, key, "poison", poison)])

    # Then Lambda's description of the batch lands in the on-failure queue after the first try and two retries
    found: list[dict[str, Any]] = []

    def failure_reported() -> bool:
        for message in proof.sqs.receive_message(QueueUrl=proof.failures_url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            proof.sqs.delete_message(QueueUrl=proof.failures_url, ReceiptHandle=message["ReceiptHandle"])
            body = json.loads(message["Body"])
            if body["KinesisBatchInfo"]["startSequenceNumber"] == put["SequenceNumber"]:
                found.append(body)
        return bool(found)

    _wait_until(failure_reported)
    (report,) = found
    assert report["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert report["requestContext"]["approximateInvokeCount"] == 3
    batch = report["KinesisBatchInfo"]
    assert (batch["shardId"], batch["endSequenceNumber"], batch["batchSize"], batch["streamArn"]) == (
        put["ShardId"],
        put["SequenceNumber"],
        1,
        proof.stream_arn,
    )
    assert proof.deliveries(poison) == 3

    # When another record of the same partition key is put
    proof.put([(run, key, "ok", after)])

    # Then it is processed: the shard has moved past the record that failed
    _wait_until(lambda: proof.done(run, key) == [after])
    assert proof.deliveries(poison) == 3
    assert proof.batches(run) == [[poison]] * 3 + [[after]]
