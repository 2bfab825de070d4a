"""Creators: who they are, whose record it is, their tier and engagement, who sees their contact details,
and the port that keeps them.

A creator is identified within an owner by `(platform, handle)`: importing the same pair again updates the
creator, it never duplicates it (`dedup_key`). An owner (`Owner`) is a brand, or the shared network
(`NETWORK`) that applicants opt in to; how an owner is keyed in storage is the repository's business.

Who sees a creator's contact details: a network creator's contact details stay theirs, and a brand sees
them only once the creator applies to it (the application form, also reached from the brand's outreach
email). `public_profile` is the one place that decides what a brand sees of a creator, and `contact_shown`
the rule it and the partner views apply; anything that shows a creator or partner to a brand (a route, an
export, a report, a webhook) goes through them. A brand that adds a network creator keeps a
`network_reference`: the public profile and the network creator's id, never a copy of the email.

A brand's creators are kept twice: as full items (the source of truth) and as compact `SearchRow`s in a
few segments, which the API function loads once and keeps warm (`starling.discovery.index`); see
docs/decisions.md ("Discovery").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from starling.discovery.terms import query_terms, search_tokens
from starling.identity.model import DEFAULT_TIER_THRESHOLDS, Brand
from starling.shared.errors import Invalid, Unavailable
from starling.shared.ids import new_id
from starling.shared.values import clean_text

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from starling.discovery.columns import SearchColumns

_Record = TypeVar("_Record", bound="DataclassInstance")


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    TWITCH = "twitch"
    PINTEREST = "pinterest"
    X = "x"
    BLOG = "blog"


# Engagement on these is measured by views (average views / followers), see `engagement_rate`.
VIDEO_PLATFORMS = frozenset({Platform.TIKTOK, Platform.YOUTUBE, Platform.TWITCH})

# Names people use for a platform in their spreadsheets.
_PLATFORM_ALIASES = {"twitter": Platform.X, "ig": Platform.INSTAGRAM, "yt": Platform.YOUTUBE}

ENGAGEMENT_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Creator:
    """A creator in a brand's list (or the shared network, when `discoverable`).

    `network_contact_id` is set on a brand's copy of a network creator whose contact details the creator has
    not shared with that brand: the copy holds no email, and Starling reaches the creator through the
    network record of that id (see `starling.discovery.model`, "Who sees a creator's contact details").
    """

    creator_id: str
    platform: Platform
    handle: str
    created_at: datetime
    updated_at: datetime
    display_name: str = ""
    followers: int = 0
    avg_likes: int = 0
    avg_comments: int = 0
    avg_views: int = 0
    niches: tuple[str, ...] = ()
    country: str | None = None
    language: str | None = None
    email: str | None = None
    profile_url: str | None = None
    notes: str = ""
    discoverable: bool = False
    brand_safety_flags: tuple[str, ...] = ()
    network_contact_id: str | None = None

    @property
    def key(self) -> tuple[Platform, str]:
        return dedup_key(self.platform, self.handle)

    @property
    def is_new(self) -> bool:
        """Not saved before: a new record's two times are one moment, and every change moves `updated_at`."""
        return self.created_at == self.updated_at


def normalise_handle(handle: str) -> str:
    """Lowercase, without a leading '@' or surrounding space."""
    return clean_text(handle).lstrip("@").strip().lower()


def dedup_key(platform: Platform | str, handle: str) -> tuple[Platform, str]:
    return parse_platform(platform), normalise_handle(handle)


def parse_platform(value: Platform | str) -> Platform:
    if isinstance(value, Platform):
        return value
    name = clean_text(str(value)).lower()
    if name in _PLATFORM_ALIASES:
        return _PLATFORM_ALIASES[name]
    try:
        return Platform(name)
    except ValueError:
        raise Invalid(
            f"'{value}' is not a platform; use one of " + ", ".join(p.value for p in Platform) + ".",
            {"platform": "unknown platform"},
        ) from None


# --- tiers and engagement ----------------------------------------------------------------------------


def tier_for(followers: int, thresholds: Mapping[str, int] | None = None) -> str:
    """The tier whose threshold is the highest one at or below `followers` (default: design.md's tiers)."""
    if followers < 0:
        raise Invalid("followers cannot be negative.", {"followers": "negative"})
    ordered = sorted((thresholds or DEFAULT_TIER_THRESHOLDS).items(), key=lambda item: item[1])
    tier = ordered[0][0]
    for name, floor in ordered:
        if followers >= floor:
            tier = name
    return tier


def engagement_rate(creator: Creator) -> Decimal:
    """Engagement as a fraction with 4 places ("0.0345" is 3.45 %).

    (average likes + average comments) / followers, except on video platforms (`VIDEO_PLATFORMS`), where it
    is average views / followers; a video creator with no views on record falls back to likes and comments.
    Zero followers gives 0.
    """
    if creator.followers <= 0:
        return Decimal("0.0000")
    if creator.platform in VIDEO_PLATFORMS and creator.avg_views > 0:
        interactions = creator.avg_views
    else:
        interactions = creator.avg_likes + creator.avg_comments
    return (Decimal(interactions) / Decimal(creator.followers)).quantize(ENGAGEMENT_PLACES, ROUND_HALF_UP)


# --- drafts: creating and merging creators -----------------------------------------------------------

MAX_FOLLOWERS = 2_000_000_000  # more than any account on any platform has
MAX_NICHES = 20


@dataclass(frozen=True)
class CreatorDraft:
    """A validated, normalised import row. None (or an empty tuple) means the row left the field empty."""

    platform: Platform
    handle: str
    row: int = 0
    display_name: str | None = None
    followers: int | None = None
    avg_likes: int | None = None
    avg_comments: int | None = None
    avg_views: int | None = None
    niches: tuple[str, ...] = ()
    country: str | None = None
    language: str | None = None
    email: str | None = None
    profile_url: str | None = None
    notes: str | None = None
    brand_safety_flags: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[Platform, str]:
        return dedup_key(self.platform, self.handle)


def is_empty(value: Any) -> bool:
    """None, blank text or an empty list: a field the row (or form) left empty."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == ()


# What a draft may fill in: every field but the key and the row number.
_DRAFT_FIELDS = tuple(f.name for f in fields(CreatorDraft) if f.name not in ("platform", "handle", "row"))


def _provided(draft: CreatorDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in _DRAFT_FIELDS if not is_empty(getattr(draft, name))}


def new_creator(
    draft: CreatorDraft, now: datetime, creator_id: str | None = None, discoverable: bool = False
) -> Creator:
    """A new creator from a draft; fields the draft leaves empty take their defaults."""
    return Creator(
        creator_id=creator_id or new_id("cre"),
        platform=draft.platform,
        handle=draft.handle,
        created_at=now,
        updated_at=now,
        discoverable=discoverable,
        **_provided(draft),
    )


def merge_creator(existing: Creator, incoming: CreatorDraft, now: datetime) -> Creator:
    """A re-import of `existing`: its id and created_at stay; each field the import fills in replaces the
    old value, and each field it leaves empty keeps it. `discoverable` is the creator's own choice and never
    changes through an import. An email in the import is one the brand (or, through the application form,
    the creator) gave this record itself, so the record stops pointing to the network for contact."""
    if existing.key != incoming.key:
        raise Invalid(
            "A re-import merges only the same platform and handle.",
            {"handle": incoming.handle, "platform": incoming.platform.value},
        )
    network_contact_id = None if incoming.email else existing.network_contact_id
    return replace(existing, updated_at=now, network_contact_id=network_contact_id, **_provided(incoming))


def merge_drafts(first: CreatorDraft, later: CreatorDraft) -> CreatorDraft:
    """Two rows for the same creator in one import: the later row's filled-in fields win."""
    return replace(first, **_provided(later))


# --- owners and who sees a creator's contact details -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose record a creator is: a brand's (`brand_id`), or the shared network's (`brand_id` None)."""

    brand_id: str | None = None

    @property
    def is_network(self) -> bool:
        return self.brand_id is None


NETWORK = Owner()  # the owner of the shared network's creators

# Every way to reach a creator directly. A new one (a phone number) is added here, and every view hides it.
CONTACT_FIELDS = ("email",)


def brand_owner(brand_id: str) -> Owner:
    return Owner(brand_id)


def contact_shown(owner: Owner, viewer_brand_id: str, network_contact_id: str | None) -> bool:
    """Whether the brand `viewer_brand_id` may see the contact details on a record of `owner`.

    Only on its own records, and not on one that still points to a network creator for contact: that
    creator has not applied to the brand yet. The network's records and other brands' never show them.
    """
    return owner == brand_owner(viewer_brand_id) and network_contact_id is None


def without_contact(record: _Record) -> _Record:
    """A record (a creator, a partner) with every contact field it has emptied."""
    names = {f.name for f in fields(record)}
    hidden: dict[str, Any] = {name: None for name in CONTACT_FIELDS if name in names}
    return replace(record, **hidden)


def public_profile(creator: Creator, owner: Owner, viewer_brand_id: str) -> Creator:
    """The creator (a record of `owner`) as the brand `viewer_brand_id` may see them.

    Contact details (`CONTACT_FIELDS`) go unless `contact_shown` allows them; notes are the owner's own and
    go unless the viewer is the owner.
    """
    if owner != brand_owner(viewer_brand_id):
        creator = replace(creator, notes="")
    if not contact_shown(owner, viewer_brand_id, creator.network_contact_id):
        creator = without_contact(creator)
    return creator


def network_reference(network_creator: Creator, brand_id: str, now: datetime) -> Creator:
    """A brand's own record of a network creator it adds: the public profile, no contact details, and the
    network creator's id, through which Starling writes to them on the brand's behalf."""
    profile = public_profile(network_creator, NETWORK, brand_id)
    return replace(
        profile,
        discoverable=False,
        network_contact_id=network_creator.creator_id,
        created_at=now,
        updated_at=now,
    )


def name_matches(handle: str, display_name: str, query: str) -> bool:
    """True when every word of `query` starts a word of the handle or the name, compared as creator search
    compares them: case and accents folded ("zoe" finds "Zoë"), the handle whole and split at '.', '_', '-'.
    A query without a letter or digit matches nothing."""
    terms = query_terms(query)
    tokens = {handle.casefold(), *query_terms(handle), *query_terms(display_name)}
    return bool(terms) and all(any(t.startswith(term) for t in tokens) for term in terms)


# What erasing a creator removes from the brand's records and the network: the creator's personal data.
PERSONAL_FIELDS = ("email", "handle", "display_name", "notes", "profile_url")


# --- search rows and the port ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchRow:
    """The compact form of a creator that search runs on; the repository keeps them in segments."""

    creator_id: str
    platform: str
    handle: str
    name: str
    followers: int
    engagement: float
    niches: tuple[str, ...]
    country: str | None
    language: str | None
    flags: tuple[str, ...]
    tokens: tuple[str, ...]

    @classmethod
    def of(cls, creator: Creator) -> SearchRow:
        return cls(
            creator_id=creator.creator_id,
            platform=creator.platform.value,
            handle=creator.handle,
            name=creator.display_name,
            followers=creator.followers,
            engagement=float(engagement_rate(creator)),
            niches=creator.niches,
            country=creator.country,
            language=creator.language,
            flags=creator.brand_safety_flags,
            tokens=tuple(sorted(search_tokens(creator))),
        )

    def as_creator(self) -> Creator:
        """Enough of the creator for fit_score's explanation."""
        return Creator(
            creator_id=self.creator_id, platform=Platform(self.platform), handle=self.handle,
            created_at=_EPOCH, updated_at=_EPOCH, display_name=self.name, followers=self.followers,
            niches=self.niches, country=self.country, language=self.language, brand_safety_flags=self.flags,
        )  # fmt: skip


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SearchSnapshot:
    """An owner's search segments at a generation: every segment's key, oldest first, and the segments the
    reader did not know yet, by key. A creator in more than one segment is the newest segment's row."""

    generation: int
    segments: tuple[str, ...]
    loaded: Mapping[str, SearchColumns]


class SearchNotUpdated(Unavailable):
    """Storage failed: a search sees none of the write, and writing the same creators again repairs it."""

    code = "search_not_updated"

    def __init__(self, cause: str) -> None:
        super().__init__("Saving creators failed part way; search shows none of the change. Send it again.")
        self.cause = cause


MAX_CREATORS_PER_OWNER = 10_000_000  # a brand's, or the network's: docs/decisions.md (2026-11-29, issue 16)


class CreatorRepository(Protocol):
    """An owner's creators, and their search rows in segments; the owner's search generation moves after
    every write (a removal too), and a write's rows become searchable all at once or not at all
    (`SearchNotUpdated`). Removing a creator the owner does not have is no error."""

    def get(self, owner: Owner, creator_id: str) -> Creator: ...
    def get_many(self, owner: Owner, creator_ids: Iterable[str]) -> dict[str, Creator]: ...
    def save_many(self, owner: Owner, creators: list[Creator]) -> None: ...
    def remove(self, owner: Owner, creator_id: str) -> None: ...
    def creator_count(self, owner: Owner) -> int: ...
    def search_generation(self, owner: Owner) -> int: ...
    def load_segments(self, owner: Owner, known: Collection[str]) -> SearchSnapshot: ...


class Brands(Protocol):
    """Where discovery reads the brand a search is for (its tiers, niches and target countries)."""

    def get_brand(self, brand_id: str) -> Brand: ...
