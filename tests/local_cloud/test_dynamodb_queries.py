"""The local cloud's DynamoDB queries read one partition, and answer exactly as DynamoDB (and moto) would:
the same items, in range-key order either way, paged by Limit and ExclusiveStartKey, filtered, and index
queries untouched; and a refused transaction leaves nothing behind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from moto import mock_aws
from moto.dynamodb.models.table import Table

from infra.local import dynamodb


@pytest.fixture()
def table() -> Iterator[Any]:
    dynamodb.install()
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name="eu-west-1")
        created = resource.create_table(
            TableName="core",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "gsi1pk", "AttributeType": "S"},
                {"AttributeName": "gsi1sk", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "gsi1",
                    "KeySchema": [
                        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        with created.batch_writer() as batch:
            for brand in ("a", "b", "c"):
                for n in (5, 1, 12, 3, 40, 7):  # written out of order
                    batch.put_item(
                        Item={
                            "pk": f"BRAND#{brand}",
                            "sk": f"CREATOR#{n:03d}",
                            "n": n,
                            "gsi1pk": "ALL",
                            "gsi1sk": f"{brand}#{n:03d}",
                        }
                    )
        yield created


def _sks(items: list[dict[str, Any]]) -> list[str]:
    return [item["sk"] for item in items]


def test_a_query_answers_its_partition_alone_in_range_key_order(table: Any) -> None:
    forward = table.query(KeyConditionExpression=Key("pk").eq("BRAND#b"))["Items"]
    backward = table.query(KeyConditionExpression=Key("pk").eq("BRAND#b"), ScanIndexForward=False)["Items"]

    expected = [f"CREATOR#{n:03d}" for n in (1, 3, 5, 7, 12, 40)]
    assert _sks(forward) == expected
    assert _sks(backward) == expected[::-1]
    assert {item["pk"] for item in forward} == {"BRAND#b"}


def test_pages_range_conditions_and_filters_hold(table: Any) -> None:
    seen: list[str] = []
    start: dict[str, Any] = {}
    while True:
        page = table.query(KeyConditionExpression=Key("pk").eq("BRAND#c"), Limit=4, **start)
        seen += _sks(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    ranged = table.query(
        KeyConditionExpression=Key("pk").eq("BRAND#a") & Key("sk").between("CREATOR#003", "CREATOR#012")
    )
    filtered = table.query(KeyConditionExpression=Key("pk").eq("BRAND#a"), FilterExpression=Attr("n").gt(6))

    assert seen == [f"CREATOR#{n:03d}" for n in (1, 3, 5, 7, 12, 40)]
    assert _sks(ranged["Items"]) == ["CREATOR#003", "CREATOR#005", "CREATOR#007", "CREATOR#012"]
    assert _sks(filtered["Items"]) == ["CREATOR#007", "CREATOR#012", "CREATOR#040"]
    assert filtered["ScannedCount"] == 6


def test_an_unknown_partition_is_empty_and_index_queries_still_span_the_table(table: Any) -> None:
    empty = table.query(KeyConditionExpression=Key("pk").eq("BRAND#nobody"))
    index = table.query(IndexName="gsi1", KeyConditionExpression=Key("gsi1pk").eq("ALL"))

    assert empty["Items"] == [] and empty["Count"] == 0
    assert len(index["Items"]) == 18
    assert [item["gsi1sk"] for item in index["Items"]][:3] == ["a#001", "a#003", "a#005"]


def test_a_table_query_never_gathers_the_whole_table(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    gathered: list[int] = []
    whole_table = Table.all_items.__wrapped__  # type: ignore[attr-defined]

    def counting(self: Table) -> list[Any]:
        gathered.append(1)
        return list(whole_table(self))

    monkeypatch.setattr(Table, "all_items", dynamodb._partition_items(counting))

    table.query(KeyConditionExpression=Key("pk").eq("BRAND#a"))
    assert gathered == []
    table.scan()
    assert gathered == [1]  # a Scan reads the whole table, as on DynamoDB


def test_a_refused_transaction_leaves_every_item_as_it_was(table: Any) -> None:
    # Given an item to update, one to delete, and a transaction whose last condition fails
    client = boto3.client("dynamodb", region_name="eu-west-1")  # wire format (a resource's client serializes)
    before = table.scan()["Items"]

    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "core", "Item": {"pk": {"S": "BRAND#d"}, "sk": {"S": "NEW"}}}},
                {
                    "Update": {
                        "TableName": "core",
                        "Key": {"pk": {"S": "BRAND#a"}, "sk": {"S": "CREATOR#001"}},
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "999"}},
                    }
                },
                {
                    "Delete": {
                        "TableName": "core",
                        "Key": {"pk": {"S": "BRAND#b"}, "sk": {"S": "CREATOR#003"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": "core",
                        "Key": {"pk": {"S": "BRAND#c"}, "sk": {"S": "CREATOR#005"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    # Then nothing of it stayed: no new item, the update and the delete undone
    assert table.scan()["Items"] == before


def test_an_accepted_transaction_writes_all_its_items(table: Any) -> None:
    client = boto3.client("dynamodb", region_name="eu-west-1")  # wire format (a resource's client serializes)
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "core", "Item": {"pk": {"S": "BRAND#d"}, "sk": {"S": "NEW"}}}},
            {"Delete": {"TableName": "core", "Key": {"pk": {"S": "BRAND#b"}, "sk": {"S": "CREATOR#003"}}}},
        ]
    )

    assert _sks(table.query(KeyConditionExpression=Key("pk").eq("BRAND#d"))["Items"]) == ["NEW"]
    assert "CREATOR#003" not in _sks(table.query(KeyConditionExpression=Key("pk").eq("BRAND#b"))["Items"])
