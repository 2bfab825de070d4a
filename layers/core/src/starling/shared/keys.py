"""How items are keyed in the core table; repositories are the only callers.

Every brand-owned item lives under its brand's partition key, so a key of brand B can only ever reach
brand B's items. The shared network of creators has a partition of its own.
"""

from __future__ import annotations

BRAND_PREFIX = "BRAND#"
NETWORK_PK = "NETWORK"


def brand_pk(brand_id: str) -> str:
    """The partition of everything brand `brand_id` owns."""
    return f"{BRAND_PREFIX}{brand_id}"


def brand_list_pk(brand_id: str, kind: str, *parts: str) -> str:
    """A brand's index partition for one kind of item (BRAND#<id>#PARTNERS, BRAND#<id>#LINKS#<partner>)."""
    return "#".join((brand_pk(brand_id), kind, *parts))
