"""Approved statements as PayPal bulk-payout files: PayPal's columns, one currency a file, 5,000 rows at most,
amounts in the currency's own digits, and lines PayPal would refuse refused here first."""

from __future__ import annotations

import csv
import io

import pytest

from starling.payouts.export import ExportLine, customer_id, paypal_bulk_payout_files
from starling.shared.errors import Invalid


def rows(content: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content)))


def test_each_statement_is_a_row_in_paypals_column_order() -> None:
    # Given two approved statements in dollars and one in yen
    lines = [
        ExportLine("st_1", "maya@example.com", 2499, "USD", "Your October earnings"),
        ExportLine("st_2", "leo@example.com", 100000, "USD"),
        ExportLine("st_3", "ken@example.jp", 2499, "JPY", "10月分"),
    ]
    # When the run exports them
    files = paypal_bulk_payout_files("run_9", lines)
    # Then each currency has its file, no header, PayPal's columns in order
    assert [(f.name, f.currency, f.total) for f in files] == [
        ("run_9-JPY-1.csv", "JPY", 2499), ("run_9-USD-1.csv", "USD", 102499),
    ]  # fmt: skip
    assert rows(files[1].content) == [
        ["maya@example.com", "24.99", "USD", "st_1", "Your October earnings", "PAYPAL"],
        ["leo@example.com", "1000.00", "USD", "st_2", "", "PAYPAL"],
    ]
    assert rows(files[0].content) == [["ken@example.jp", "2499", "JPY", "st_3", "10月分", "PAYPAL"]]
    assert files[1].customer_ids == {"st_1": "st_1", "st_2": "st_2"}


def test_a_comma_locale_gets_quoted_comma_amounts_and_three_digit_currencies_keep_their_digits() -> None:
    [eur] = paypal_bulk_payout_files(
        "r", [ExportLine("st_1", "a@example.com", 10050, "EUR")], decimal_comma=True
    )
    assert '"100,50"' in eur.content
    [kwd] = paypal_bulk_payout_files("r", [ExportLine("st_1", "a@example.com", 2499, "KWD")])
    assert rows(kwd.content)[0][1] == "2.499"


def test_more_than_5000_statements_split_into_files_of_5000() -> None:
    lines = [ExportLine(f"st_{n}", f"p{n}@example.com", 100, "USD") for n in range(5001)]
    files = paypal_bulk_payout_files("r", lines)
    assert [len(rows(f.content)) for f in files] == [5000, 1]
    assert [f.name for f in files] == ["r-USD-1.csv", "r-USD-2.csv"]


def test_a_long_statement_id_gets_a_30_character_customer_id_that_maps_back() -> None:
    long_id = "statement#brand_123#partner_456#2026-10"
    [file] = paypal_bulk_payout_files("r", [ExportLine(long_id, "a@example.com", 100, "USD")])
    [cid] = file.customer_ids
    assert len(cid) == 30 and " " not in cid and file.customer_ids[cid] == long_id
    assert customer_id(long_id) == cid


def test_a_note_is_one_line_of_400_characters_that_no_spreadsheet_runs_as_a_formula() -> None:
    note = '=HYPERLINK("http://evil")\nsecond line ' + "x" * 500
    [file] = paypal_bulk_payout_files("r", [ExportLine("st_1", "a@example.com", 100, "USD", note)])
    written = rows(file.content)[0][4]
    assert not written.startswith("=") and "\n" not in written and len(written) <= 400


@pytest.mark.parametrize(
    "line",
    [
        ExportLine("st_1", "not an email", 100, "USD"),
        ExportLine("st_1", "=cmd@example.com", 100, "USD"),
        ExportLine("st_1", "a@example.com", 0, "USD"),
        ExportLine("st_1", "a@example.com", -5, "USD"),
        ExportLine("st_1", "a@example.com", 100, "usd"),
    ],
    ids=["recipient", "formula-recipient", "zero", "negative", "currency"],
)
def test_a_line_paypal_would_refuse_is_refused_with_its_statement_named(line: ExportLine) -> None:
    with pytest.raises(Invalid):
        paypal_bulk_payout_files("r", [line])
