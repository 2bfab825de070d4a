"""Importing creators: a JSON array or a CSV file read into validated drafts, and drafts made into creators.

Import (`parse_creator_rows_json`, `parse_creator_csv`) validates and normalises each row into a
`CreatorDraft`; bad rows are returned with their row number and the fields at fault, and the good rows are
kept. Row numbers count data rows from 1, as a person counts them in a spreadsheet: the CSV header is not
a row, and in a JSON array the first element is row 1. Text is kept as typed (HTML is escaped where it is
shown, not here), except that control characters are removed. Two rows for the same `(platform, handle)`
are merged (`merge_drafts`), and a re-import updates its creator (`merge_creator`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starling.discovery.model import (
    MAX_FOLLOWERS,
    MAX_NICHES,
    CreatorDraft,
    Platform,
    is_empty,
    merge_drafts,
    normalise_handle,
    parse_platform,
)
from starling.shared.errors import Invalid
from starling.shared.values import (
    MAX_EMAIL_LENGTH,
    MAX_URL_LENGTH,
    clean_text,
    normalise_country,
    normalise_email,
    normalise_language,
    normalise_url,
    parse_count,
    parse_tags,
)

# Limits on import. A request may carry at most MAX_IMPORT_ROWS rows; bigger files go through an upload.
MAX_IMPORT_ROWS = 10_000
MAX_COLUMNS = 60
MAX_AVERAGE = 10_000_000_000  # average likes, comments or views: views can exceed followers, not this
MAX_FLAGS = 20
MAX_LENGTHS = {
    "handle": 100,
    "display_name": 200,
    "email": MAX_EMAIL_LENGTH,
    "profile_url": MAX_URL_LENGTH,
    "notes": 5000,
    "niche": 50,
    "flag": 50,
}

_HANDLE_RE = re.compile(r"^[\w.\-]+$")

# Import columns: the canonical name, then the friendly names a spreadsheet may use instead. Header names
# are compared lowercased, with spaces and hyphens read as underscores ("Avg Likes" is "avg_likes").
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "handle": ("username", "user_name", "account", "creator", "instagram_handle"),
    "platform": ("network", "channel", "social_network"),
    "display_name": ("name", "full_name", "creator_name"),
    "followers": ("followers_count", "follower_count", "subscribers", "subscriber_count", "audience"),
    "avg_likes": ("average_likes", "likes", "avg_likes_per_post"),
    "avg_comments": ("average_comments", "comments", "avg_comments_per_post"),
    "avg_views": ("average_views", "views", "avg_views_per_post"),
    "niches": ("niche", "categories", "category", "topics", "tags"),
    "country": ("country_code", "location"),
    "language": ("lang", "language_code"),
    "email": ("email_address", "e_mail", "contact_email"),
    "profile_url": ("url", "profile", "link", "profile_link"),
    "notes": ("note", "comment_notes"),
    "brand_safety_flags": ("flags", "safety_flags"),
}
_COLUMN_LOOKUP: dict[str, str] = {
    alias: canonical for canonical, aliases in COLUMN_ALIASES.items() for alias in (canonical, *aliases)
}
REQUIRED_COLUMNS = ("handle", "platform")


@dataclass(frozen=True)
class RejectedRow:
    row: int
    errors: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "errors": dict(self.errors)}


@dataclass(frozen=True)
class ImportParseResult:
    """The good rows (one draft per `(platform, handle)`), the rejected rows, and what was set aside."""

    drafts: tuple[CreatorDraft, ...]
    rejected: tuple[RejectedRow, ...]
    ignored_columns: tuple[str, ...] = ()
    duplicates_merged: int = 0

    @property
    def rejected_dicts(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.rejected]


def canonical_column(name: str) -> str | None:
    """The canonical field for a header name, or None when the name is not one Starling knows."""
    key = re.sub(r"[\s\-]+", "_", clean_text(name).lower()).strip("_")
    return _COLUMN_LOOKUP.get(key)


def _text_field(raw: Any, field_name: str, multiline: bool = False) -> str:
    if not isinstance(raw, str | int):
        raise Invalid(f"{field_name} must be text.", {field_name: "not text"})
    text = clean_text(str(raw), multiline=multiline)
    limit = MAX_LENGTHS[field_name]
    if len(text) > limit:
        raise Invalid(f"{field_name} is too long.", {field_name: f"more than {limit} characters"})
    return text


def validate_creator_row(raw: Mapping[str, Any], row: int) -> CreatorDraft | RejectedRow:
    """One import row (canonical field names) as a draft, or rejected with every field at fault."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def attempt(field_name: str, parse: Any) -> None:
        value = raw.get(field_name)
        if is_empty(value):
            return
        try:
            values[field_name] = parse(value)
        except Invalid as exc:
            detail = exc.details if isinstance(exc.details, dict) else {}
            errors[field_name] = str(detail.get(field_name) or exc.message)

    for required in REQUIRED_COLUMNS:
        if is_empty(raw.get(required)):
            errors[required] = "required"

    def parse_handle(value: Any) -> str:
        handle = normalise_handle(_text_field(value, "handle"))
        if not handle or not _HANDLE_RE.match(handle):
            raise Invalid("bad handle", {"handle": "letters, digits, '.', '_' and '-' only"})
        return handle

    attempt("handle", parse_handle)
    attempt("platform", lambda v: parse_platform(str(v)))
    attempt("display_name", lambda v: _text_field(v, "display_name"))
    attempt("followers", lambda v: parse_count(v, "followers", MAX_FOLLOWERS))
    for name in ("avg_likes", "avg_comments", "avg_views"):
        attempt(name, lambda v, n=name: parse_count(v, n, MAX_AVERAGE))
    attempt("niches", lambda v: parse_tags(v, "niches", MAX_NICHES, MAX_LENGTHS["niche"]))
    attempt(
        "brand_safety_flags", lambda v: parse_tags(v, "brand_safety_flags", MAX_FLAGS, MAX_LENGTHS["flag"])
    )
    attempt("country", lambda v: normalise_country(str(v)))
    attempt("language", lambda v: normalise_language(str(v)))
    attempt("email", lambda v: normalise_email(str(v)))
    attempt("profile_url", lambda v: normalise_url(str(v)))
    attempt("notes", lambda v: _text_field(v, "notes", multiline=True))

    if errors:
        return RejectedRow(row=row, errors=errors)
    for empty_text in ("display_name", "notes"):
        if values.get(empty_text) == "":
            values.pop(empty_text)
    return CreatorDraft(row=row, **values)


def _collect(
    rows: Iterable[tuple[int, Mapping[str, Any] | RejectedRow]],
) -> tuple[list[CreatorDraft], list[RejectedRow], int]:
    by_key: dict[tuple[Platform, str], CreatorDraft] = {}
    rejected: list[RejectedRow] = []
    duplicates = 0
    for row, raw in rows:
        result = raw if isinstance(raw, RejectedRow) else validate_creator_row(raw, row)
        if isinstance(result, RejectedRow):
            rejected.append(result)
        elif result.key in by_key:
            duplicates += 1
            by_key[result.key] = merge_drafts(by_key[result.key], result)
        else:
            by_key[result.key] = result
    return list(by_key.values()), rejected, duplicates


def parse_creator_rows_json(payload: Any, max_rows: int = MAX_IMPORT_ROWS) -> ImportParseResult:
    """Creators from a JSON array of objects with the canonical field names (aliases are accepted too).

    Element 1 of the array is row 1. A payload that is not an array, or is longer than `max_rows`, is
    Invalid as a whole; an element that is not an object is a rejected row.
    """
    if not isinstance(payload, list):
        raise Invalid("The import body must be a JSON array of creators, or CSV.", {"body": "not an array"})
    _check_row_count(len(payload), max_rows)
    ignored: dict[str, None] = {}

    def rows() -> Iterable[tuple[int, Mapping[str, Any] | RejectedRow]]:
        for index, item in enumerate(payload, start=1):
            if not isinstance(item, dict):
                yield index, RejectedRow(index, {"row": "not an object"})
                continue
            canonical: dict[str, Any] = {}
            for name, value in item.items():
                column = canonical_column(str(name))
                if column is None:
                    ignored[str(name)] = None
                elif column not in canonical or is_empty(canonical[column]):
                    canonical[column] = value
            yield index, canonical

    drafts, rejected, duplicates = _collect(rows())
    return ImportParseResult(tuple(drafts), tuple(rejected), tuple(ignored), duplicates)


def _check_row_count(count: int, max_rows: int) -> None:
    if count > max_rows:
        raise Invalid(
            f"The import has {count:,} rows; one request takes at most {max_rows:,}. Use an upload for more.",
            {"rows": count, "max_rows": max_rows},
        )


def _header_error(header_line: str, columns: list[str]) -> Invalid | None:
    """A clear whole-file error when the header cannot be read as Starling's comma-separated columns."""
    known = [c for c in columns if canonical_column(c)]
    for delimiter, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
        if delimiter in header_line and len(known) < len(REQUIRED_COLUMNS):
            parts = header_line.split(delimiter)
            if any(canonical_column(p.strip().strip('"')) for p in parts):
                return Invalid(
                    f"The header is separated by {name}; Starling reads comma-separated CSV. "
                    "Export the file as CSV (comma delimited) and import it again.",
                    {"delimiter": delimiter},
                )
    if not known:
        return Invalid(
            "The first line must be a header naming the columns, for example handle,platform,followers.",
            {"header": "missing or not recognised", "columns": sorted(_COLUMN_LOOKUP)},
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in {canonical_column(k) for k in known}]
    if missing:
        return Invalid(
            "The header lacks the required column(s): " + ", ".join(missing) + ".",
            {"header": {c: "required column" for c in missing}},
        )
    return None


def parse_creator_csv(text: str, max_rows: int = MAX_IMPORT_ROWS) -> ImportParseResult:
    """Creators from CSV text with a header row; the first line after the header is row 1.

    A byte-order mark is stripped. The header names columns by their canonical names or the friendly
    aliases in `COLUMN_ALIASES`; unknown columns are ignored and listed in `ignored_columns`. The whole file
    is Invalid when it has no recognisable header, lacks `handle` or `platform`, uses another delimiter
    (';', tab or '|'), has more than `MAX_COLUMNS` columns in its header, more than `max_rows` rows, or
    cannot be parsed as CSV. A row with more cells than the header has is rejected on its own.
    """
    text = text.removeprefix("\ufeff").replace("\x00", "")
    if not text.strip():
        raise Invalid("The CSV is empty; it needs a header row and at least one row.", {"body": "empty"})
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        raise Invalid(f"The CSV header cannot be read: {exc}.", {"header": str(exc)}) from None
    if len(header) > MAX_COLUMNS:
        raise Invalid(
            f"The header has {len(header):,} columns; at most {MAX_COLUMNS} are read.",
            {"columns": len(header)},
        )
    header_line = text.split("\n", 1)[0]
    error = _header_error(header_line, header)
    if error is not None:
        raise error

    columns = [canonical_column(name) for name in header]
    ignored = tuple(dict.fromkeys(clean_text(n) for n, c in zip(header, columns, strict=True) if c is None))

    def rows() -> Iterable[tuple[int, Mapping[str, Any] | RejectedRow]]:
        row = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise Invalid(
                    f"The CSV cannot be read at row {row + 1}: {exc}.", {"row": row + 1, "problem": str(exc)}
                ) from None
            if not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            row += 1
            _check_row_count(row, max_rows)
            if len(cells) > len(header):
                problem = f"{len(cells):,} cells, but the header has {len(header)} columns"
                yield row, RejectedRow(row, {"columns": problem})
                continue
            record: dict[str, Any] = {}
            for column, cell in zip(columns, cells, strict=False):
                if column is not None and (column not in record or is_empty(record[column])):
                    record[column] = cell
            yield row, record

    drafts, rejected, duplicates = _collect(rows())
    return ImportParseResult(tuple(drafts), tuple(rejected), ignored, duplicates)


CSV_CONTENT_TYPES = ("text/csv", "application/csv", "text/plain")


def parse_import_body(content_type: str, body: str) -> ImportParseResult:
    """An import request's body: CSV when `content_type` says so, else a JSON array of creators (or an
    object with the array as `creators`)."""
    if content_type in CSV_CONTENT_TYPES:
        return parse_creator_csv(body)
    payload: Any = json.loads(body) if body.strip() else None
    if isinstance(payload, dict) and isinstance(payload.get("creators"), list):
        payload = payload["creators"]
    if not isinstance(payload, list):
        raise Invalid(
            'Send a JSON array of creators (or {"creators": [...]}), or CSV with Content-Type: text/csv.',
            {"body": "a JSON array or CSV"},
        )
    return parse_creator_rows_json(payload)
