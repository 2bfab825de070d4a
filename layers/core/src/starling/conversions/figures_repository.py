"""Money figures in the core table: one item per month cell, added to with ADD, never read to be written.

  <brand> / FIG#<yyyymm>#<partner>#<campaign|->#<link|->#<currency>
      cv, rev, com, cpc, flat, post, ret, gift         the month's figures
      cv07, rev07, ...                                 each day's
      month, partner_id, campaign_id, link, currency   what the cell is of

An order's, a refund's and a review's figures go into the same transaction as the order
(`add_to_transaction`), so they count exactly once, with the order, or not at all; other kinds are booked
with `DynamoFigureBook.book`, one UpdateItem per cell, from the write path that accrues them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from starling.conversions.model import (
    FIGURES,
    NO_ID,
    CellKey,
    CellUpdate,
    MoneyCell,
    MoneyEntry,
    plan_cells,
)
from starling.shared.dynamo import items_between
from starling.shared.dynamo_items import CoreItem
from starling.shared.keys import brand_pk
from starling.shared.settings import get_settings

CELL_PREFIX = "FIG#"
_NAMES = {short: name for name, short in FIGURES.items()}


class FigureCellItem(CoreItem):
    """A month cell (its figures are attributes named at write time, so the model declares only its key)."""


def cell_sort_key(key: CellKey) -> str:
    return (
        f"{CELL_PREFIX}{key.month}#{key.partner_id}#{key.campaign_id or NO_ID}#{key.link or NO_ID}"
        f"#{key.currency}"
    )


def _labels(key: CellKey) -> dict[str, str]:
    labels = {"month": key.month, "partner_id": key.partner_id, "currency": key.currency}
    if key.campaign_id:
        labels["campaign_id"] = key.campaign_id
    if key.link:
        labels["link"] = key.link
    return labels


def _actions(update: CellUpdate) -> list[Action]:
    actions: list[Action] = [Path(name).add(value) for name, value in sorted(update.adds.items()) if value]
    actions += [Path(name).set(text) for name, text in sorted(_labels(update.key).items())]
    return actions


def add_to_transaction(tx: TransactWrite, entries: list[MoneyEntry]) -> None:
    """Book the entries inside a PynamoDB transaction (one update per cell)."""
    for update in plan_cells(entries):
        item = FigureCellItem(pk=brand_pk(update.key.brand_id), sk=cell_sort_key(update.key))
        tx.update(item, actions=_actions(update))


def money_cell(item: dict[str, Any]) -> MoneyCell:
    def figures(suffix: str) -> dict[str, int]:
        return {_NAMES[short]: int(item[short + suffix]["N"]) for short in _NAMES if short + suffix in item}

    days = {f"{d:02d}": figures(f"{d:02d}") for d in range(1, 32)}
    return MoneyCell(
        month=item["month"]["S"],
        partner_id=item["partner_id"]["S"],
        campaign_id=item["campaign_id"]["S"] if "campaign_id" in item else None,
        link=item["link"]["S"] if "link" in item else None,
        currency=item["currency"]["S"],
        figures=figures(""),
        days={day: found for day, found in days.items() if found},
    )


class DynamoFigureBook:
    """The `FigureBook` port (starling.conversions.figures) on the core table."""

    def __init__(self, client: Any | None = None, table_name: str | None = None) -> None:
        self._client = client or boto3.client("dynamodb")
        self._table = table_name or get_settings().table_name

    def book(self, entries: list[MoneyEntry]) -> None:
        for update in plan_cells(entries):
            names: dict[str, str] = {}
            values: dict[str, Any] = {}
            adds, sets = [], []
            for i, (name, value) in enumerate(sorted(update.adds.items())):
                names[f"#a{i}"], values[f":a{i}"] = name, {"N": str(value)}
                adds.append(f"#a{i} :a{i}")
            for i, (name, text) in enumerate(sorted(_labels(update.key).items())):
                names[f"#l{i}"], values[f":l{i}"] = name, {"S": text}
                sets.append(f"#l{i} = :l{i}")
            self._client.update_item(
                TableName=self._table,
                Key={"pk": {"S": brand_pk(update.key.brand_id)}, "sk": {"S": cell_sort_key(update.key)}},
                UpdateExpression="SET " + ", ".join(sets) + " ADD " + ", ".join(adds),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )

    def cells(self, brand_id: str, from_month: str, to_month: str) -> Iterator[MoneyCell]:
        low, high = f"{CELL_PREFIX}{from_month}#", f"{CELL_PREFIX}{to_month}#\uffff"
        for item in items_between(self._client, self._table, brand_pk(brand_id), low, high):
            yield money_cell(item)
