"""Brands and their API keys."""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Any, Protocol
from urllib.parse import urlsplit

from starling.shared.errors import Invalid
from starling.shared.ids import new_id
from starling.shared.money import DEFAULT_LOCALE, parse_locale

# Roles and what each may do. Reads are open to every role except where noted; writes are listed.


class Role(StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    FINANCE = "finance"
    VIEWER = "viewer"


class Area(StrEnum):
    BRAND = "brand"
    API_KEYS = "api_keys"
    CREATORS = "creators"
    PARTNERS = "partners"
    CAMPAIGNS = "campaigns"
    PRODUCTS = "products"
    LINKS = "links"
    CONTRACTS = "contracts"
    CONVERSIONS = "conversions"
    DELIVERABLES = "deliverables"
    REPORTS = "reports"
    PAYOUTS = "payouts"
    WEBHOOKS = "webhooks"
    AUDIT = "audit"
    SHOP_SECRETS = "shop_secrets"


# Areas only the owner may even read: they hold credentials or the brand's whole trail.
_OWNER_ONLY_READS = frozenset({Area.API_KEYS, Area.AUDIT, Area.WEBHOOKS, Area.SHOP_SECRETS})

_WRITES: dict[Role, frozenset[Area]] = {
    Role.OWNER: frozenset(Area),
    Role.MANAGER: frozenset(
        {
            Area.CREATORS,
            Area.PARTNERS,
            Area.CAMPAIGNS,
            Area.PRODUCTS,
            Area.LINKS,
            Area.CONTRACTS,
            Area.CONVERSIONS,
            Area.DELIVERABLES,
        }
    ),
    Role.FINANCE: frozenset({Area.PAYOUTS}),
    Role.VIEWER: frozenset(),
}


def can_read(role: Role, area: Area) -> bool:
    return role is Role.OWNER or area not in _OWNER_ONLY_READS


def can_write(role: Role, area: Area) -> bool:
    return area in _WRITES[role]


API_KEY_PREFIX = "stk_live_"
_KEY_ALPHABET = string.ascii_letters + string.digits
_KEY_RE = re.compile(r"^stk_live_[A-Za-z0-9]{24}$")
_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

# First path segments the public surface keeps for itself (design.md, "Public surface").
RESERVED_SEGMENTS = frozenset({"v1", "p", "portal", "apply", "t", "docs", "openapi.json", "health", "static"})

DEFAULT_TIER_THRESHOLDS: dict[str, int] = {
    "nano": 0,
    "micro": 10_000,
    "mid": 100_000,
    "macro": 500_000,
    "mega": 1_000_000,
}
UTM_KEYS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"})


@dataclass(frozen=True)
class Brand:
    brand_id: str
    name: str
    slug: str
    created_at: datetime
    allowed_domains: tuple[str, ...] = ()
    fallback_url: str | None = None
    # The application form shows the logo and links the terms the applicant accepts (no terms, no checkbox).
    logo_url: str | None = None
    terms_url: str | None = None
    utm_defaults: dict[str, str] = field(default_factory=dict)
    tier_thresholds: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_TIER_THRESHOLDS))
    # What discovery's fit score looks for.
    target_niches: tuple[str, ...] = ()
    target_countries: tuple[str, ...] = ()
    # How amounts are shown to people (emails, statements, pages): a Babel locale.
    locale: str = DEFAULT_LOCALE


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    brand_id: str
    name: str
    role: Role
    key_hash: str
    last4: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def display(self) -> str:
        return f"{API_KEY_PREFIX}…{self.last4}"


@dataclass(frozen=True)
class Principal:
    """Who is calling: the brand, the role and the key, as resolved from an API key."""

    brand_id: str
    role: Role
    key_id: str


@dataclass(frozen=True)
class AuditEntry:
    """One entry of a brand's audit trail: what was done (`action`, like "creator.erased"), to what
    (`subject`, an id), by which API key (`actor`), when, and which kinds of data it concerned (`fields`:
    field names, never their values). The trail is append-only."""

    entry_id: str
    brand_id: str
    action: str
    subject: str
    actor: str
    at: datetime
    fields: tuple[str, ...] = ()


class IdentityRepository(Protocol):
    """Brands (with their unique slugs) and API keys, found by id or by the hash of the raw key; and each
    brand's audit trail, read newest first."""

    def create_brand(self, brand: Brand) -> None: ...
    def get_brand(self, brand_id: str) -> Brand: ...
    def brand_ids(self) -> list[str]: ...
    def find_brand_by_slug(self, slug: str) -> Brand | None: ...
    def save_brand(self, brand: Brand, previous_slug: str) -> None: ...
    def add_api_key(self, key: ApiKey) -> None: ...
    def list_api_keys(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ApiKey], str | None]: ...
    def get_api_key(self, brand_id: str, key_id: str) -> ApiKey: ...
    def revoke_api_key(self, key: ApiKey, at: datetime) -> None: ...
    def find_active_key(self, key_hash: str) -> tuple[str, str, Role] | None: ...
    def append_audit(self, entry: AuditEntry) -> None: ...
    def audit_page(
        self, brand_id: str, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]: ...


def generate_api_key() -> str:
    return API_KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(24))


def hash_api_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def looks_like_api_key(raw_key: str) -> bool:
    return bool(_KEY_RE.match(raw_key))


def new_api_key(brand_id: str, name: str, role: Role, now: datetime) -> tuple[ApiKey, str]:
    """A new key record and the raw key, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("A key needs a name of 1 to 100 characters.", {"name": "1 to 100 characters"})
    raw = generate_api_key()
    key = ApiKey(
        key_id=new_id("key"),
        brand_id=brand_id,
        name=name,
        role=role,
        key_hash=hash_api_key(raw),
        last4=raw[-4:],
        created_at=now,
    )
    return key, raw


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "brand"
    return slug if len(slug) >= 3 else f"{slug}-brand"


def is_slug(value: str) -> bool:
    """Whether `value` has a brand slug's shape (a path segment of any other shape names no brand)."""
    return bool(_SLUG_RE.match(value))


def validate_slug(slug: str) -> str:
    if not _SLUG_RE.match(slug):
        raise Invalid(
            "A slug is 3 to 40 characters of a-z, 0-9 and '-', starting and ending with a letter or digit.",
            {"slug": slug},
        )
    if slug in RESERVED_SEGMENTS:
        raise Invalid(f"'{slug}' is reserved.", {"slug": "reserved"})
    return slug


def validate_domain(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    if not _DOMAIN_RE.match(domain):
        raise Invalid(f"'{domain}' is not a domain name.", {"allowed_domains": domain})
    return domain


def validate_https_url(url: str, field_name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid(f"{field_name} must be an http(s) URL.", {field_name: url})
    return url


def validate_secure_url(url: str, field_name: str) -> str:
    """An https URL: what a public page may load or link without mixed content."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise Invalid(f"{field_name} must be an https URL.", {field_name: url})
    return url


def validate_tier_thresholds(thresholds: dict[str, int]) -> dict[str, int]:
    if set(thresholds) != set(DEFAULT_TIER_THRESHOLDS):
        raise Invalid(
            "tier_thresholds needs exactly the tiers " + ", ".join(DEFAULT_TIER_THRESHOLDS) + ".",
            {"tier_thresholds": sorted(thresholds)},
        )
    ordered = [thresholds[t] for t in DEFAULT_TIER_THRESHOLDS]
    if ordered[0] != 0 or any(b <= a for a, b in pairwise(ordered)):
        raise Invalid(
            "tier_thresholds must start at 0 for nano and rise strictly: nano < micro < mid < macro < mega.",
            {"tier_thresholds": thresholds},
        )
    return dict(thresholds)


def validate_utm_defaults(utm: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(utm) - UTM_KEYS)
    if unknown:
        raise Invalid("Unknown UTM keys: " + ", ".join(unknown), {"utm_defaults": unknown})
    return dict(utm)


def new_brand(name: str, now: datetime, slug: str | None = None) -> Brand:
    name = name.strip()
    if not name or len(name) > 120:
        raise Invalid("A brand needs a name of 1 to 120 characters.", {"name": "1 to 120 characters"})
    return Brand(brand_id=new_id("brd"), name=name, slug=validate_slug(slug or slugify(name)), created_at=now)


def apply_brand_changes(brand: Brand, changes: dict[str, Any]) -> Brand:
    """The brand with `changes` applied, each field checked by its own rule."""
    updates: dict[str, Any] = {}
    for name in ("name", "slug", "allowed_domains", "tier_thresholds", "locale"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared; send a value or leave it out.", {name: "null"})
    if "name" in changes:
        name = str(changes["name"]).strip()
        if not name or len(name) > 120:
            raise Invalid("A brand needs a name of 1 to 120 characters.", {"name": "1 to 120 characters"})
        updates["name"] = name
    if "slug" in changes:
        updates["slug"] = validate_slug(changes["slug"])
    if "allowed_domains" in changes:
        updates["allowed_domains"] = tuple(
            dict.fromkeys(validate_domain(d) for d in changes["allowed_domains"])
        )
    if "fallback_url" in changes:
        url = changes["fallback_url"]
        updates["fallback_url"] = None if url is None else validate_https_url(url, "fallback_url")
    for name in ("logo_url", "terms_url"):
        if name in changes:
            url = changes[name]
            updates[name] = None if url is None else validate_secure_url(url, name)
    if "utm_defaults" in changes:
        updates["utm_defaults"] = validate_utm_defaults(changes["utm_defaults"] or {})
    if "tier_thresholds" in changes:
        updates["tier_thresholds"] = validate_tier_thresholds(changes["tier_thresholds"])
    if "target_niches" in changes:
        niches = [str(n).strip().lower() for n in changes["target_niches"] or []]
        if any(not n or len(n) > 50 for n in niches) or len(niches) > 30:
            raise Invalid(
                "target_niches is up to 30 niches of 1 to 50 characters.", {"target_niches": niches}
            )
        updates["target_niches"] = tuple(dict.fromkeys(niches))
    if "target_countries" in changes:
        countries = [str(c).strip().upper() for c in changes["target_countries"] or []]
        if any(not re.fullmatch(r"[A-Z]{2}", c) for c in countries):
            raise Invalid(
                "target_countries are ISO 3166 alpha-2 codes like US or DE.", {"target_countries": countries}
            )
        updates["target_countries"] = tuple(dict.fromkeys(countries))
    if "locale" in changes:
        updates["locale"] = parse_locale(changes["locale"])
    return replace(brand, **updates)
