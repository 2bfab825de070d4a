"""Click counters and unique-visitor state in the core table, written with conditional updates.

  <brand> / CLK#<dimension>#<yyyymmdd>#<id>   a day's figures (c, u, b, f) for a link, partner or
                                              campaign, with each hour's inside (c13, u13, ...)
  <brand> / CLK#link_month#<yyyymm>#<slug>    a link's month (c, u, b, f, a), each day's inside (c07, ...),
                                              the link's partner_id and campaign_id; reports read these
  <brand> / LSTAT#<slug>                      a link's lifetime figures (not in any index, so an update is
                                              one write, not two)
  UV#<slug>#<yyyymmddhh>#<n> / UV                      an hour's visitors of a link: visitor -> first click
                                                       (the kinesis path)
  UVH#<slug>#<yyyymmddhh> / UVH                        an hour's visitors of a link as a HyperLogLog sketch,
                                                       with the uniques counted so far and the last run
                                                       merged into it (the default path)

<brand> is the brand's partition (starling.shared.keys.brand_pk). Every counter carries `ck_<shard>`, the
last stream position it has counted from that shard."""

from __future__ import annotations

import re
import time
import zlib
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError

from starling.links import visitors as sketch
from starling.links.model import Contribution, CounterUpdate, DayCounter, MonthCounter
from starling.shared.dynamo import items_between
from starling.shared.keys import brand_pk
from starling.shared.settings import get_settings

LINK_STATS_PREFIX = "LSTAT#"
FIGURES = {
    "clicks": "c",
    "unique_clicks": "u",
    "bot_clicks": "b",
    "flagged_clicks": "f",
    "in_app_clicks": "a",
}
VISITOR_STATE_DAYS = 2
_VISITORS_PER_UPDATE = 80  # keeps each update expression well under DynamoDB's 4 KB


def counter_key(brand_id: str, dimension: str, key_id: str, day: str | None) -> dict[str, dict[str, str]]:
    if dimension == "link_total":
        return {"pk": {"S": brand_pk(brand_id)}, "sk": {"S": f"{LINK_STATS_PREFIX}{key_id}"}}
    return {"pk": {"S": brand_pk(brand_id)}, "sk": {"S": f"CLK#{dimension}#{day}#{key_id}"}}


def checkpoint_attribute(shard_id: str) -> str:
    return "ck_" + re.sub(r"[^A-Za-z0-9]", "", shard_id.removeprefix("shardId-"))


def _figures_of(item: dict[str, Any], suffix: str = "") -> dict[str, int]:
    """The clicks, unique, bot and flagged figures of a counter item (of one hour, with its suffix)."""
    return {name: int(item[short + suffix]["N"]) for name, short in FIGURES.items() if short + suffix in item}


def day_counter(item: dict[str, Any]) -> DayCounter:
    hours = {f"{h:02d}": _figures_of(item, f"{h:02d}") for h in range(24)}
    return DayCounter(
        key_id=item["kid"]["S"],
        day=item["day"]["S"],
        figures=_figures_of(item),
        hours={hour: figures for hour, figures in hours.items() if figures},
        labels={name: item[name]["S"] for name in ("partner_id", "campaign_id") if name in item},
    )


def month_counter(item: dict[str, Any]) -> MonthCounter:
    days = {f"{d:02d}": _figures_of(item, f"{d:02d}") for d in range(1, 32)}
    return MonthCounter(
        key_id=item["kid"]["S"],
        month=item["day"]["S"],
        figures=_figures_of(item),
        days={day: figures for day, figures in days.items() if figures},
        labels={name: item[name]["S"] for name in ("partner_id", "campaign_id") if name in item},
    )


def _inside(dimension: str) -> slice | None:
    """Which part of a contribution's hour (YYYYMMDDHH) names the figures kept inside a counter: the hour in
    a day's, the day in a month's, none in a link's lifetime figures."""
    if dimension == "link_total":
        return None
    return slice(6, 8) if dimension == "link_month" else slice(8, 10)


def _sums(contributions: list[Contribution], inside: slice | None) -> dict[str, int]:
    sums: dict[str, int] = {}
    for c in contributions:
        for name, short in FIGURES.items():
            value = getattr(c, name)
            if value:
                sums[short] = sums.get(short, 0) + value
                if inside is not None:
                    sums[short + c.hour[inside]] = sums.get(short + c.hour[inside], 0) + value
    return sums


class DynamoClickCounterRepository:
    def __init__(self, client: Any | None = None, table_name: str | None = None) -> None:
        self._client = client or boto3.client("dynamodb")
        self._table = table_name or get_settings().table_name

    # Unique-visitor state
    def first_clicks(self, slug: str, hour: str, shard: int, firsts: dict[str, str]) -> dict[str, str]:
        key = {"pk": {"S": f"UV#{slug}#{hour}#{shard}"}, "sk": {"S": "UV"}}
        hour_epoch = int(time.mktime(time.strptime(hour + "+0000", "%Y%m%d%H%z")))
        expires = str(hour_epoch + VISITOR_STATE_DAYS * 86400)
        recorded: dict[str, str] = {}
        visitors = list(firsts.items())
        for start in range(0, len(visitors), _VISITORS_PER_UPDATE):
            chunk = visitors[start : start + _VISITORS_PER_UPDATE]
            names = {"#exp": "expires_at", **{f"#v{i}": "v" + v for i, (v, _) in enumerate(chunk)}}
            values = {":exp": {"N": expires}, **{f":c{i}": {"S": c} for i, (_, c) in enumerate(chunk)}}
            sets = [f"#v{i} = if_not_exists(#v{i}, :c{i})" for i in range(len(chunk))]
            answer = self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression="SET #exp = if_not_exists(#exp, :exp), " + ", ".join(sets),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
            attributes = answer.get("Attributes", {})
            for visitor, _ in chunk:
                if "v" + visitor in attributes:
                    recorded[visitor] = attributes["v" + visitor]["S"]
        return recorded

    def merge_visitors(self, slug: str, hour: str, visitors: list[str], run: str) -> int:
        """Merge a run's visitors into the link-hour's sketch; answer how many of them are new (the same
        answer when the run comes again: it is kept with the sketch)."""
        key = {"pk": {"S": f"UVH#{slug}#{hour}"}, "sk": {"S": "UVH"}}
        hour_epoch = int(time.mktime(time.strptime(hour + "+0000", "%Y%m%d%H%z")))
        while True:
            item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
            if item and item["run"]["S"] == run:
                return int(item["d"]["N"])
            counted = int(item["n"]["N"]) if item else 0
            stored_exact = bytes(item["x"]["B"]) if item and "x" in item else (b"" if not item else None)
            stored_registers = zlib.decompress(bytes(item["r"]["B"])) if item and "r" in item else None
            exact, registers, new = sketch.merge(stored_exact, stored_registers, counted, visitors)
            state = {"x": {"B": exact}} if registers is None else {"r": {"B": zlib.compress(registers, 9)}}
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
            if item:
                condition = {
                    "ConditionExpression": "#run = :previous",
                    "ExpressionAttributeNames": {"#run": "run"},
                    "ExpressionAttributeValues": {":previous": item["run"]},
                }
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={
                        **key,
                        **state,
                        "n": {"N": str(counted + new)},
                        "d": {"N": str(new)},
                        "run": {"S": run},
                        "expires_at": {"N": str(hour_epoch + VISITOR_STATE_DAYS * 86400)},
                    },
                    **condition,
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                continue  # another rollup merged first: read again
            return new

    # Counters
    def apply(self, shard_id: str, update: CounterUpdate) -> int:
        key = update.key
        item_key = counter_key(key.brand_id, key.dimension, key.key_id, key.day)
        is_link = key.dimension == "link_total"
        checkpoint = checkpoint_attribute(shard_id)
        pending = list(update.contributions)
        expected: str | None = None
        first_try = True
        while pending:
            names: dict[str, str] = {"#ck": checkpoint}
            values: dict[str, Any] = {":last": {"S": pending[-1].checkpoint}}
            adds = []
            for index, (name, amount) in enumerate(sorted(_sums(pending, _inside(key.dimension)).items())):
                names[f"#a{index}"] = name
                values[f":a{index}"] = {"N": str(amount)}
                adds.append(f"#a{index} :a{index}")
            sets = ["#ck = :last"]
            labels = {} if is_link else {"dim": key.dimension, "kid": key.key_id, "day": key.day or ""}
            for index, (name, text) in enumerate(
                sorted({**labels, **update.labels}.items() if labels else [])
            ):
                names[f"#l{index}"] = name
                values[f":l{index}"] = {"S": text}
                sets.append(f"#l{index} = :l{index}")
            if first_try:
                condition = "attribute_not_exists(#ck) OR #ck < :first"
                values[":first"] = {"S": pending[0].checkpoint}
            elif expected is None:
                condition = "attribute_not_exists(#ck)"
            else:
                condition = "#ck = :expected"
                values[":expected"] = {"S": expected}
            expression = "SET " + ", ".join(sets) + (" ADD " + ", ".join(adds) if adds else "")
            try:
                self._client.update_item(
                    TableName=self._table,
                    Key=item_key,
                    UpdateExpression=expression,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues=values,
                )
                return len(pending)
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
            stored = self._client.get_item(
                TableName=self._table,
                Key=item_key,
                ConsistentRead=True,
                ProjectionExpression="pk, #ck",
                ExpressionAttributeNames={"#ck": checkpoint},
            ).get("Item")
            expected = stored[checkpoint]["S"] if stored and checkpoint in stored else None
            pending = [c for c in pending if expected is None or c.checkpoint > expected]
            first_try = False
        return 0

    # Reading
    def day_counters(self, brand_id: str, dimension: str, from_day: str, to_day: str) -> Iterator[DayCounter]:
        """Every day counter of a dimension between two days (inclusive), in key order."""
        low, high = f"CLK#{dimension}#{from_day}#", f"CLK#{dimension}#{to_day}#\uffff"
        for item in items_between(self._client, self._table, brand_pk(brand_id), low, high):
            yield day_counter(item)

    def month_counters(self, brand_id: str, from_month: str, to_month: str) -> Iterator[MonthCounter]:
        """Every link's month counter between two months (YYYYMM, inclusive), in key order."""
        low, high = f"CLK#link_month#{from_month}#", f"CLK#link_month#{to_month}#\uffff"
        for item in items_between(self._client, self._table, brand_pk(brand_id), low, high):
            yield month_counter(item)
