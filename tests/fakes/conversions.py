"""In-memory fakes of conversions' ports. The figure book is held to its DynamoDB repository's behaviour by
tests/integration/reports/test_figure_book_contract.py."""

from __future__ import annotations

from collections.abc import Iterable

from starling.conversions.model import FIGURES, CellKey, MoneyCell, MoneyEntry, plan_cells

_NAMES = {short: name for name, short in FIGURES.items()}


class InMemoryFigureBook:
    """Month cells as dicts of short names to sums, like the items' attributes."""

    def __init__(self) -> None:
        self.items: dict[CellKey, dict[str, int]] = {}
        self.writes = 0

    def book(self, entries: list[MoneyEntry]) -> None:
        for update in plan_cells(entries):
            item = self.items.setdefault(update.key, {})
            for name, value in update.adds.items():
                item[name] = item.get(name, 0) + value
            self.writes += 1

    def cells(self, brand_id: str, from_month: str, to_month: str) -> Iterable[MoneyCell]:
        for key, item in sorted(self.items.items(), key=lambda kv: repr(kv[0])):
            if key.brand_id != brand_id or not from_month <= key.month <= to_month:
                continue
            days: dict[str, dict[str, int]] = {}
            figures: dict[str, int] = {}
            for name, value in item.items():
                short, day = name.rstrip("0123456789"), name[len(name.rstrip("0123456789")) :]
                if day:
                    days.setdefault(day, {})[_NAMES[short]] = value
                else:
                    figures[_NAMES[short]] = value
            yield MoneyCell(key.month, key.partner_id, key.campaign_id, key.link, key.currency, figures, days)
