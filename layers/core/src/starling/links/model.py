"""Vanity links: slugs, destinations with UTM parameters, device targets, expiry, and what the redirect
needs to answer without reading anything else; the ports links' use cases and the click aggregator work
through, and the records they exchange (a link's figures, the click counters reports read)."""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starling.identity.model import RESERVED_SEGMENTS, UTM_KEYS, Brand
from starling.links.redirects import RedirectEntry
from starling.shared.destinations import validate_destination
from starling.shared.errors import Invalid

if TYPE_CHECKING:  # only the lookups' signatures name them; the click aggregator need not load them
    from starling.catalog.model import Product
    from starling.recruiting.model import Partner

MAX_SLUG_LENGTH = 50
MIN_SLUG_LENGTH = 3
GENERATED_SLUG_LENGTH = 7
# No 0/o, 1/l/i: a generated slug can be read aloud, typed from a poster, and printed under a QR code.
UNAMBIGUOUS_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
# Reserved by design.md, plus names a browser, a crawler or an operator expects at the root.
RESERVED_SLUGS = RESERVED_SEGMENTS | frozenset(
    {
        "admin",
        "api",
        "app",
        "assets",
        "dashboard",
        "favicon.ico",
        "login",
        "logout",
        "robots.txt",
        "sitemap.xml",
        "well-known",
        "www",
        "_local",
    }
)
MAX_UTM_VALUE = 200


def validate_slug(raw: str) -> str:
    """A custom slug, lower-cased; refused with a message that says exactly what is wrong."""
    if not isinstance(raw, str) or not raw.strip():
        raise Invalid("slug must not be empty.", {"slug": "empty"})
    slug = raw.strip()
    for char in slug:
        if ord(char) > 127:
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise Invalid(
                f"slug may only use a-z, 0-9, '-' and '_': '{char}' ({name}) could be mistaken for another "
                "character, so it is refused.",
                {"slug": "non_ascii", "character": f"U+{ord(char):04X}"},
            )
    slug = slug.lower()
    if len(slug) > MAX_SLUG_LENGTH:
        raise Invalid(f"slug is {len(slug)} characters; the most is {MAX_SLUG_LENGTH}.", {"slug": "too_long"})
    if len(slug) < MIN_SLUG_LENGTH:
        raise Invalid(f"slug needs at least {MIN_SLUG_LENGTH} characters.", {"slug": "too_short"})
    if not _SLUG_RE.match(slug):
        raise Invalid(
            "slug may only use a-z, 0-9, '-' and '_', and must start and end with a letter or digit.",
            {"slug": "malformed"},
        )
    if slug in RESERVED_SLUGS:
        raise Invalid(f"'{slug}' is reserved for Starling's own pages.", {"slug": "reserved"})
    return slug


def generate_slug(length: int = GENERATED_SLUG_LENGTH) -> str:
    return "".join(secrets.choice(UNAMBIGUOUS_ALPHABET) for _ in range(length))


def validate_utm(utm: dict[str, Any] | None, field_name: str = "utm") -> dict[str, str | None]:
    """A link's UTM overrides: known keys only; an empty value (or null when a link is created) turns the
    brand's default for that key off on this link. In a PATCH, null removes the link's own value instead
    (JSON Merge Patch), so the brand's default applies again."""
    if not utm:
        return {}
    unknown = sorted(set(utm) - UTM_KEYS)
    if unknown:
        raise Invalid(
            f"Unknown UTM keys: {', '.join(unknown)}; the keys are {', '.join(sorted(UTM_KEYS))}.",
            {field_name: unknown},
        )
    cleaned: dict[str, str | None] = {}
    for key, value in utm.items():
        text = "" if value is None else str(value).strip()
        if not text:
            cleaned[key] = None
            continue
        if len(text) > MAX_UTM_VALUE:
            raise Invalid(f"{key} must be 1 to {MAX_UTM_VALUE} characters.", {f"{field_name}.{key}": value})
        cleaned[key] = text
    return cleaned


def effective_utm(brand_defaults: dict[str, str], overrides: dict[str, str | None]) -> dict[str, str]:
    merged: dict[str, str | None] = {**brand_defaults, **overrides}
    return {k: v for k, v in sorted(merged.items()) if v}


def with_query(url: str, params: dict[str, str]) -> str:
    """The URL with these query parameters set (replacing any of the same name), fragment kept."""
    if not params:
        return url
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*kept, *params.items()])))


@dataclass(frozen=True)
class Link:
    slug: str
    brand_id: str
    partner_id: str
    destination_url: str
    created_at: datetime
    updated_at: datetime
    product_id: str | None = None
    campaign_id: str | None = None
    utm: dict[str, str | None] = field(default_factory=dict)
    ios_url: str | None = None
    android_url: str | None = None
    expires_at: datetime | None = None
    disabled: bool = False
    # An archived link goes to its brand's fallback, as a disabled one does, keeps its figures and slug, and
    # is left out of the brand's lists unless they ask for archived links.
    archived_at: datetime | None = None
    # The slugs the link had before a rename, newest last: their old figures still count for it.
    previous_slugs: tuple[str, ...] = ()

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def redirect_target(link: Link, brand: Brand) -> RedirectEntry:
    """The link's destinations with the effective UTM parameters already applied."""
    utm = effective_utm(brand.utm_defaults, link.utm)
    return RedirectEntry(
        slug=link.slug,
        brand_id=link.brand_id,
        partner_id=link.partner_id,
        campaign_id=link.campaign_id,
        url=with_query(link.destination_url, utm),
        ios_url=with_query(link.ios_url, utm) if link.ios_url else None,
        android_url=with_query(link.android_url, utm) if link.android_url else None,
        fallback_url=brand.fallback_url,
        disabled=link.disabled or link.archived_at is not None,
        expires_epoch=int(link.expires_at.timestamp()) if link.expires_at else None,
    )


def validate_campaign_id(campaign_id: str | None) -> str | None:
    if campaign_id is None:
        return None
    campaign_id = campaign_id.strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", campaign_id):
        raise Invalid(
            "campaign_id is 1 to 64 characters of letters, digits, '-' and '_'.", {"campaign_id": campaign_id}
        )
    return campaign_id


def validate_expiry(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is None:
        return None
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    if expires_at <= now:
        raise Invalid("expires_at must be in the future.", {"expires_at": expires_at.isoformat()})
    return expires_at.astimezone(UTC)


def new_link(
    brand: Brand,
    partner_id: str,
    destination_url: str,
    now: datetime,
    *,
    slug: str,
    product_id: str | None = None,
    campaign_id: str | None = None,
    utm: dict[str, Any] | None = None,
    ios_url: str | None = None,
    android_url: str | None = None,
    expires_at: datetime | None = None,
) -> Link:
    allowed = brand.allowed_domains
    return Link(
        slug=slug,
        brand_id=brand.brand_id,
        partner_id=partner_id,
        destination_url=validate_destination(destination_url, allowed, "destination_url"),
        product_id=product_id,
        campaign_id=validate_campaign_id(campaign_id),
        utm=validate_utm(utm),
        ios_url=validate_destination(ios_url, allowed, "ios_url") if ios_url else None,
        android_url=validate_destination(android_url, allowed, "android_url") if android_url else None,
        expires_at=validate_expiry(expires_at, now),
        created_at=now,
        updated_at=now,
    )


def apply_link_changes(link: Link, brand: Brand, changes: dict[str, Any], now: datetime) -> Link:
    """PATCH: each field checked by its own rule; null clears an optional field."""
    allowed = brand.allowed_domains
    updates: dict[str, Any] = {"updated_at": now}
    if "destination_url" in changes:
        if changes["destination_url"] is None:
            raise Invalid("destination_url cannot be cleared.", {"destination_url": None})
        updates["destination_url"] = validate_destination(changes["destination_url"], allowed)
    for name in ("ios_url", "android_url"):
        if name in changes:
            value = changes[name]
            updates[name] = validate_destination(value, allowed, name) if value else None
    if "product_id" in changes:
        updates["product_id"] = changes["product_id"]
    if "campaign_id" in changes:
        updates["campaign_id"] = validate_campaign_id(changes["campaign_id"])
    if "utm" in changes:
        updates["utm"] = validate_utm(changes["utm"])
    if "expires_at" in changes:
        updates["expires_at"] = validate_expiry(changes["expires_at"], now)
    if "disabled" in changes:
        if changes["disabled"] is None:
            raise Invalid("disabled is true or false.", {"disabled": None})
        updates["disabled"] = bool(changes["disabled"])
    return replace(link, **updates)


@dataclass(frozen=True)
class LinkFigures:
    """A link's lifetime figures, as the click aggregator counted them."""

    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    flagged_clicks: int = 0


@dataclass(frozen=True)
class LinkView(Link):
    """A link as the API shows it: with its figures, the UTM parameters it applies and where it is served."""

    short_url: str = ""
    qr_svg_url: str = ""
    effective_utm: dict[str, str] = field(default_factory=dict)
    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    flagged_clicks: int = 0


# Ports of links' use cases.
class LinkRepository(Protocol):
    def create(self, link: Link, target: RedirectEntry) -> None:
        """Store the link and its redirect entry together; Conflict when the slug is taken (any brand)."""
        ...

    def update(self, link: Link, target: RedirectEntry) -> None:
        """Change the link and its redirect entry together; NotFound when there is no such link."""
        ...

    def get(self, brand_id: str, slug: str) -> tuple[Link, LinkFigures]: ...
    def list_page(
        self, brand_id: str, partner_id: str | None, limit: int, cursor: str | None, archived: bool = False
    ) -> tuple[list[tuple[Link, LinkFigures]], str | None]:
        """The links that are archived (archived=True) or not; a page may hold fewer than `limit`."""
        ...

    def all(self, brand_id: str) -> list[Link]: ...
    def rename(self, old_slug: str, link: Link, target: RedirectEntry, forward_until_epoch: int) -> None:
        """Move the link to `link.slug` in one transaction: its new redirect entry, and its old slug kept as a
        forward to the new one until `forward_until_epoch`; Conflict when the new slug is taken, NotFound
        when the brand has no link `old_slug`."""
        ...

    def save_targets(self, targets: list[RedirectEntry]) -> None: ...


class BrandLookup(Protocol):
    def get_brand(self, brand_id: str) -> Brand: ...


class PartnerLookup(Protocol):
    def get(self, brand_id: str, partner_id: str) -> Partner: ...


class ProductLookup(Protocol):
    def get(self, brand_id: str, product_id: str) -> Product: ...


class CampaignLookup(Protocol):
    """The brand's campaigns: `get` raises NotFound for an unknown one or another brand's."""

    def get(self, brand_id: str, campaign_id: str) -> object: ...


# Click counting: what the aggregator writes and reports read (starling.links.aggregation explains how).
@dataclass(frozen=True)
class CounterKey:
    """`dimension` is link, partner or campaign (per day, `day` YYYYMMDD), link_month (a link's month, `day`
    YYYYMM, with each day's figures inside), or link_total (the link's lifetime figures)."""

    brand_id: str
    dimension: str
    key_id: str
    day: str | None


@dataclass(frozen=True)
class Contribution:
    """What one click adds to one counter."""

    checkpoint: str
    hour: str
    clicks: int = 0
    unique_clicks: int = 0
    bot_clicks: int = 0
    flagged_clicks: int = 0
    in_app_clicks: int = 0  # of `clicks`: people in a social app's in-app browser


@dataclass
class CounterUpdate:
    key: CounterKey
    contributions: list[Contribution] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DayCounter:
    """One link's, partner's or campaign's figures for one UTC day, and for each hour of it that had any."""

    key_id: str
    day: str  # YYYYMMDD
    figures: dict[str, int]
    hours: dict[str, dict[str, int]]  # "00".."23" -> figures
    labels: dict[str, str] = field(default_factory=dict)  # a link's partner_id and campaign_id


@dataclass(frozen=True)
class MonthCounter:
    """One link's figures for one UTC month, and for each day of it that had any (reports read these)."""

    key_id: str
    month: str  # YYYYMM
    figures: dict[str, int]
    days: dict[str, dict[str, int]]  # "01".."31" -> figures
    labels: dict[str, str] = field(default_factory=dict)  # the link's partner_id and campaign_id


class ClickMonthReader(Protocol):
    def month_counters(self, brand_id: str, from_month: str, to_month: str) -> Iterable[MonthCounter]:
        """Every link's month counter between two months (YYYYMM, inclusive)."""
        ...


class ClickCounterReader(Protocol):
    def day_counters(self, brand_id: str, dimension: str, from_day: str, to_day: str) -> Iterable[DayCounter]:
        """Every day counter of a dimension between two days (inclusive), in key order."""
        ...


class ClickCounterRepository(ClickCounterReader, Protocol):
    def first_clicks(self, slug: str, hour: str, shard: int, firsts: dict[str, str]) -> dict[str, str]:
        """Record each visitor's first click id unless one is recorded; answer the recorded ones."""
        ...

    def merge_visitors(self, slug: str, hour: str, visitors: list[str], run: str) -> int:
        """Merge a run's visitors into the link-hour's sketch; answer how many are new (the same again)."""
        ...

    def apply(self, shard_id: str, update: CounterUpdate) -> int:
        """Add the contributions after the counter's checkpoint for this shard; answer how many."""
        ...
