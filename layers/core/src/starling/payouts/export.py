"""The export provider: approved statements as PayPal bulk-payout files, for brands that pay by PayPal (or
hand the same file to their bank's bulk tool). Finance uploads each file in PayPal's Payouts web page, then
marks each statement paid with its reference; the run waits for that.

PayPal's format (Payouts, "Send payouts from the web": a .csv, no header row, one payout per row):
recipient identifier (a PayPal email or PayerID), payment amount (in major units), currency (ISO 4217; one
currency per file), customer ID (optional, at most 30 characters, no spaces), note to the recipient (at most
400 characters), recipient wallet (`PAYPAL`). At most 5,000 rows a file, so a run gives one file per
currency and per 5,000 statements.

The amount is written with a decimal point (`24.99`), or, for a PayPal account whose locale writes a comma,
`decimal_comma=True` (`"24,99"`, quoted as PayPal asks). Amounts come from integer minor units with the
currency's own digits (JPY `2499`, KWD `2.499`), so no rounding happens here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from starling.shared.errors import Invalid
from starling.shared.money import Money, parse_currency

ROWS_PER_FILE = 5000
NOTE_LENGTH = 400
_CUSTOMER_ID = re.compile(r"^[A-Za-z0-9_-]{1,30}$")
_EMAIL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_PAYER_ID = re.compile(r"^[A-Z0-9]{13}$")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportLine:
    statement_id: str
    recipient: str  # the partner's PayPal email, or PayPal PayerID
    amount: int  # minor units, positive
    currency: str
    note: str = ""


@dataclass(frozen=True)
class ExportFile:
    name: str  # <run id>-<currency>-<part>.csv
    currency: str
    content: str
    total: int  # minor units
    customer_ids: dict[str, str]  # the file's customer ID -> its statement id


def customer_id(statement_id: str) -> str:
    """The statement id when PayPal takes it as a customer ID, else a 30-character digest of it."""
    if _CUSTOMER_ID.match(statement_id):
        return statement_id
    return "st" + hashlib.sha256(statement_id.encode()).hexdigest()[:28]


def _note(text: str) -> str:
    """One line, at most 400 characters, never read as a formula by a spreadsheet."""
    flat = " ".join(text.split())[:NOTE_LENGTH]
    while flat.startswith(_FORMULA):
        flat = flat[1:].lstrip()
    return flat


def _amount(money: Money, decimal_comma: bool) -> str:
    text = format(money.major, "f")
    return text.replace(".", ",") if decimal_comma else text


def paypal_bulk_payout_files(
    run_id: str, lines: Sequence[ExportLine], decimal_comma: bool = False
) -> list[ExportFile]:
    """The run's approved statements as PayPal bulk-payout files; Invalid names a line PayPal would refuse."""
    by_currency: dict[str, list[ExportLine]] = defaultdict(list)
    for line in lines:
        if not (_EMAIL.match(line.recipient) or _PAYER_ID.match(line.recipient)):
            raise Invalid(
                "A PayPal payout goes to a PayPal email address or PayerID.", {line.statement_id: "recipient"}
            )
        if isinstance(line.amount, bool) or not isinstance(line.amount, int) or line.amount <= 0:
            raise Invalid("A payout is a positive amount of minor units.", {line.statement_id: "amount"})
        by_currency[parse_currency(line.currency)].append(line)
    files = []
    for currency in sorted(by_currency):
        rows = by_currency[currency]
        for part, start in enumerate(range(0, len(rows), ROWS_PER_FILE), start=1):
            chunk = rows[start : start + ROWS_PER_FILE]
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            ids = {}
            for line in chunk:
                cid = customer_id(line.statement_id)
                ids[cid] = line.statement_id
                amount = _amount(Money(line.amount, currency), decimal_comma)
                writer.writerow([line.recipient, amount, currency, cid, _note(line.note), "PAYPAL"])
            files.append(
                ExportFile(
                    name=f"{run_id}-{currency}-{part}.csv",
                    currency=currency,
                    content=buffer.getvalue(),
                    total=sum(line.amount for line in chunk),
                    customer_ids=ids,
                )
            )
    return files
