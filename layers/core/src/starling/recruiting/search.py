"""Searching a brand's partners by handle or name (GET /v1/partners?q=).

Words are matched as creator search matches them (`discovery.model.name_matches`: case and accents
folded, a word matches the words it starts). Results go by handle, then id, and a cursor holds the last
one given, so pages follow each other even while partners are added. A brand's partners are matched in
memory: a brand has thousands at most (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from starling.discovery.model import name_matches
from starling.recruiting.model import Partner, Stage
from starling.shared.errors import Invalid
from starling.shared.keys import brand_pk
from starling.shared.paging import decode_cursor, encode_cursor


def search_page(
    partners: Iterable[Partner], brand_id: str, stage: Stage | None, q: str, limit: int, cursor: str | None
) -> tuple[list[Partner], str | None]:
    """A page of the partners (of `brand_id`, at `stage` when given) whose handle or name matches `q`;
    Invalid (422) for a query without a letter or digit, or a cursor this list did not give out."""
    if not any(ch.isalnum() for ch in q):
        raise Invalid("q needs a letter or a digit: a handle or a name.", {"q": q})
    after = decode_cursor(cursor, brand_pk(brand_id))
    last = (
        (str(after.get("h", {}).get("S", "")), str(after["sk"]["S"]).removeprefix("PARTNER#"))
        if after
        else None
    )
    found = sorted(
        (
            p
            for p in partners
            if (stage is None or p.stage is stage) and name_matches(p.handle, p.display_name, q)
        ),
        key=lambda p: (p.handle.casefold(), p.partner_id),
    )
    if last is not None:
        found = [p for p in found if (p.handle.casefold(), p.partner_id) > last]
    page = found[:limit]
    if len(found) <= limit:
        return page, None
    end = page[-1]
    next_cursor = encode_cursor(
        {
            "pk": {"S": brand_pk(brand_id)},
            "sk": {"S": f"PARTNER#{end.partner_id}"},
            "h": {"S": end.handle.casefold()},
        }
    )
    return page, next_cursor
