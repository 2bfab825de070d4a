"""SQS event source mappings on the local cloud behave like Lambda's: batches, partial failures,
redelivery after the visibility timeout, and the dead-letter queue after maxReceiveCount."""

from __future__ import annotations

import time
import uuid
from typing import Any

from infra.local.cloud import LocalCloud
from infra.local.template import Template


def _count(dynamodb: Any, table: str, pk: str, attribute: str) -> int:
    item = dynamodb.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": "count"}}).get("Item")
    return int(item.get(attribute, {"N": "0"})["N"]) if item else 0  # an item mid-update has no counter yet


def test_a_batch_with_failures_redelivers_only_the_failed_messages_and_dead_letters_poison(
    cloud: LocalCloud, proof_template: Template
) -> None:
    # Given the proof stack's queue, mapped to its function with ReportBatchItemFailures
    queues = {
        lid: pid
        for lid, pid in proof_template.physical_ids.items()
        if lid in proof_template.of_type("AWS::SQS::Queue")
    }
    queue_url = next(url for lid, url in queues.items() if lid.startswith("ProofQueue"))
    dlq_url = next(url for lid, url in queues.items() if lid.startswith("ProofDeadLetters"))
    table = next(proof_template.physical_ids[lid] for lid in proof_template.of_type("AWS::DynamoDB::Table"))
    sqs, dynamodb = cloud.client("sqs"), cloud.client("dynamodb")
    run = uuid.uuid4().hex[:8]
    bodies = [f"ok:{run}-ok-{i}" for i in range(40)] + [f"flaky:{run}-flaky-{i}" for i in range(5)]
    bodies.append(f"poison:{run}-poison")

    # When the messages are sent in batches of ten
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])],
        )

    # Then every good message is processed exactly once, flaky ones after one redelivery
    deadline = time.monotonic() + 60
    names = [b.split(":", 1)[1] for b in bodies if not b.startswith("poison")]
    while time.monotonic() < deadline:
        if all(_count(dynamodb, table, f"DONE#{n}", "done") == 1 for n in names):
            break
        time.sleep(0.2)
    assert [_count(dynamodb, table, f"DONE#{n}", "done") for n in names] == [1] * len(names)
    assert all(_count(dynamodb, table, f"DELIVERY#{run}-flaky-{i}", "deliveries") == 2 for i in range(5))
    # And the function got real batches, not one message at a time
    sizes = {
        int(
            dynamodb.get_item(TableName=table, Key={"pk": {"S": f"DONE#{n}"}, "sk": {"S": "count"}})["Item"][
                "batch_size"
            ]["N"]
        )
        for n in names
    }
    assert max(sizes) > 1
    # And the poison message lands in the dead-letter queue after three deliveries
    while time.monotonic() < deadline:
        dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
        if dead:
            break
        time.sleep(0.2)
    assert [m["Body"] for m in dead] == [f"poison:{run}-poison"]
    assert _count(dynamodb, table, f"DELIVERY#{run}-poison", "deliveries") == 3
