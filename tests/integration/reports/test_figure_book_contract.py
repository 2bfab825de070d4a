"""The FigureBook port: money entries add up in month cells with each day inside, read back by month range.
Held against the in-memory fake and the DynamoDB repository (in the API function's environment) alike."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from starling.conversions.model import FigureBook, MoneyEntry
from tests.fakes.conversions import InMemoryFigureBook
from tests.integration.contract_backends import BACKENDS, fake_or_dynamo


@pytest.fixture(params=BACKENDS)
def book(request: pytest.FixtureRequest) -> Iterator[FigureBook]:
    yield from fake_or_dynamo(
        request, InMemoryFigureBook, "starling.conversions.figures_repository:DynamoFigureBook"
    )


def test_entries_add_up_per_cell_with_each_day_inside(book: FigureBook) -> None:
    brand = f"brd_{uuid.uuid4().hex[:10]}"
    # Given an order, its refund, a per-post fee and a gift of the next month
    book.book([
        MoneyEntry(brand, date(2026, 11, 2), "ptn_1", "spring", "serum", "USD", "commission", 1200, 1, 12000),
        MoneyEntry(brand, date(2026, 11, 9), "ptn_1", "spring", "serum", "USD", "commission", -300, 0, -3000),
    ])  # fmt: skip
    book.book([MoneyEntry(brand, date(2026, 11, 9), "ptn_1", "spring", None, "USD", "per_post", 5000)])
    book.book([MoneyEntry(brand, date(2026, 12, 1), "ptn_1", None, None, "USD", "gifting", 4500)])
    # When November is read
    cells = {(c.campaign_id, c.link): c for c in book.cells(brand, "202611", "202611")}
    # Then each cell holds its month's sums and each day's
    serum = cells[("spring", "serum")]
    assert serum.figures == {"conversions": 1, "revenue": 9000, "commission": 900}
    assert serum.days == {"02": {"conversions": 1, "revenue": 12000, "commission": 1200},
                          "09": {"revenue": -3000, "commission": -300}}  # fmt: skip
    assert cells[("spring", None)].figures == {"per_post": 5000} and serum.currency == "USD"
    # And the gift is December's, another brand's cells are not read
    [gift] = book.cells(brand, "202612", "202612")
    assert (gift.month, gift.campaign_id, gift.link, gift.figures) == (
        "202612",
        None,
        None,
        {"gifting": 4500},
    )
    assert list(book.cells(f"brd_{uuid.uuid4().hex[:10]}", "202601", "202612")) == []
