"""Creators: who they are, their tier and engagement, importing them, and how well they fit a brand.

A creator is identified within a brand by `(platform, handle)`: importing the same pair again updates the
creator, it never duplicates it (`dedup_key`, `merge_creator`).

Import (`parse_creator_rows_json`, `parse_creator_csv`) validates and normalises each row into a
`CreatorDraft`; bad rows are returned with their row number and the fields at fault, and the good rows are
kept. Row numbers count data rows from 1, as a person counts them in a spreadsheet: the CSV header is not
a row, and in a JSON array the first element is row 1. Text is kept as typed (HTML is escaped where it is
shown, not here), except that control characters are removed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from starling.identity.model import DEFAULT_TIER_THRESHOLDS
from starling.shared.errors import Invalid
from starling.shared.ids import new_id


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

# Limits on import. A request may carry at most MAX_IMPORT_ROWS rows; bigger files go through an upload.
MAX_IMPORT_ROWS = 10_000
MAX_COLUMNS = 60
MAX_FOLLOWERS = 2_000_000_000  # more than any account on any platform has
MAX_AVERAGE = 10_000_000_000  # average likes, comments or views: views can exceed followers, not this
MAX_NICHES = 20
MAX_FLAGS = 20
MAX_LENGTHS = {
    "handle": 100,
    "display_name": 200,
    "email": 254,
    "profile_url": 2048,
    "notes": 5000,
    "niche": 50,
    "flag": 50,
}

ENGAGEMENT_PLACES = Decimal("0.0001")

# ISO 3166-1 alpha-2, plus XK (Kosovo), which payment and tax systems use.
# fmt: off
COUNTRY_CODES = frozenset(
    {
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
        "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
        "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
        "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
        "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
        "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
        "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
        "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
        "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
        "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
        "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
        "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
        "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
        "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
        "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
        "VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
    }
)
# fmt: on
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}

_HANDLE_RE = re.compile(r"^[\w.\-]+$")
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_LANGUAGE_RE = re.compile(r"^([a-z]{2})(?:[-_][a-z0-9]{2,8})*$")
_LIST_SPLIT_RE = re.compile(r"[;|,]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

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


# --- normalising single values -----------------------------------------------------------------------


def clean_text(value: str, multiline: bool = False) -> str:
    """The text without control characters (tabs and newlines kept when `multiline`), trimmed."""
    if multiline:
        return _CONTROL_RE.sub("", value).strip()
    return _CONTROL_ONE_LINE_RE.sub("", re.sub(r"[\t\r\n]+", " ", value)).strip()


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


def normalise_email(value: str) -> str:
    """The address lowercased and trimmed, or Invalid when it does not look like an email address."""
    email = clean_text(value).lower()
    if len(email) > MAX_LENGTHS["email"] or not _EMAIL_RE.match(email):
        raise Invalid(f"'{value}' is not an email address.", {"email": "not an email address"})
    return email


def normalise_country(value: str) -> str:
    code = clean_text(value).upper()
    code = _COUNTRY_ALIASES.get(code, code)
    if code not in COUNTRY_CODES:
        raise Invalid(
            f"'{value}' is not an ISO 3166 two-letter country code.",
            {"country": "not an ISO 3166 alpha-2 code"},
        )
    return code


def normalise_language(value: str) -> str:
    """An ISO 639-1 code, lowercase; a regional tag such as 'en-US' is read as 'en'."""
    match = _LANGUAGE_RE.match(clean_text(value).lower())
    if not match:
        raise Invalid(
            f"'{value}' is not an ISO 639-1 language code.", {"language": "not an ISO 639-1 two-letter code"}
        )
    return match.group(1)


def normalise_url(value: str, field_name: str = "profile_url") -> str:
    url = clean_text(value)
    if len(url) > MAX_LENGTHS["profile_url"]:
        raise Invalid(
            f"{field_name} is too long.", {field_name: f"at most {MAX_LENGTHS['profile_url']} characters"}
        )
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid(f"{field_name} must be an http(s) URL.", {field_name: "not an http(s) URL"})
    return url


def parse_count(value: Any, field_name: str, maximum: int) -> int:
    """A whole, non-negative count. Accepts 12345, "12,345", "12 345", "12.5k" and "1.2M"."""
    if isinstance(value, bool):
        raise Invalid(f"{field_name} must be a number.", {field_name: "not a number"})
    if isinstance(value, int):
        number = Decimal(value)
    else:
        text = clean_text(str(value)).lower().replace(",", "").replace("_", "").replace(" ", "")
        multiplier = 1
        if text[-1:] in ("k", "m", "b"):
            multiplier = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}[text[-1]]
            text = text[:-1]
        try:
            number = Decimal(text) * multiplier
        except (InvalidOperation, ValueError):
            raise Invalid(f"{field_name} must be a number.", {field_name: "not a number"}) from None
        if not number.is_finite():
            raise Invalid(f"{field_name} must be a number.", {field_name: "not a number"})
    if number < 0:
        raise Invalid(f"{field_name} cannot be negative.", {field_name: "negative"})
    if number > maximum:
        raise Invalid(f"{field_name} is more than {maximum:,}.", {field_name: f"more than {maximum:,}"})
    if number != number.to_integral_value():
        raise Invalid(f"{field_name} must be a whole number.", {field_name: "not a whole number"})
    return int(number)


def parse_tags(value: Any, field_name: str, max_items: int, max_length: int) -> tuple[str, ...]:
    """Lowercase tags from a list, or from text split by ';', '|' or ','; blanks and repeats dropped."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        items: list[Any] = list(value)
    elif isinstance(value, str):
        items = _LIST_SPLIT_RE.split(value)
    else:
        raise Invalid(f"{field_name} must be text or a list of text.", {field_name: "not text"})
    tags: dict[str, None] = {}
    for item in items:
        if not isinstance(item, str):
            raise Invalid(f"{field_name} must be text.", {field_name: "not text"})
        tag = " ".join(clean_text(item).lower().split())
        if not tag:
            continue
        if len(tag) > max_length:
            raise Invalid(
                f"A {field_name} entry is too long.", {field_name: f"an entry over {max_length} characters"}
            )
        tags[tag] = None
    if len(tags) > max_items:
        raise Invalid(f"At most {max_items} {field_name}.", {field_name: f"more than {max_items}"})
    return tuple(tags)


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


def percentile_rank(value: Decimal, sorted_sample: Sequence[Decimal]) -> int:
    """Where `value` sits in an ascending sample, 0-100: the share below it plus half the share equal to it.

    An empty sample gives 50 (nothing to compare with).
    """
    if not sorted_sample:
        return 50
    below = bisect_left(sorted_sample, value)
    equal = bisect_right(sorted_sample, value) - below
    share = (Decimal(below) + Decimal(equal) / 2) / Decimal(len(sorted_sample))
    return int((share * 100).to_integral_value(ROUND_HALF_UP))


def engagement_samples_by_tier(
    creators: Iterable[Creator], thresholds: Mapping[str, int] | None = None
) -> dict[str, list[Decimal]]:
    """Each tier's engagement rates, ascending: the sample `percentile_rank` compares a creator with."""
    samples: dict[str, list[Decimal]] = {}
    for creator in creators:
        samples.setdefault(tier_for(creator.followers, thresholds), []).append(engagement_rate(creator))
    for rates in samples.values():
        rates.sort()
    return samples


def engagement_percentiles(
    creators: Iterable[Creator], thresholds: Mapping[str, int] | None = None
) -> dict[str, int]:
    """Each creator's engagement percentile (0-100) among the creators of the same tier, by creator_id."""
    creators = list(creators)
    samples = engagement_samples_by_tier(creators, thresholds)
    return {
        c.creator_id: percentile_rank(engagement_rate(c), samples[tier_for(c.followers, thresholds)])
        for c in creators
    }


# --- fit score ---------------------------------------------------------------------------------------

# Nominal weights in points out of 100. Without past performance, the other three are scaled up to fill 100.
FIT_WEIGHTS: dict[str, int] = {
    "niche_match": 40,
    "engagement": 30,
    "audience_country": 20,
    "past_performance": 10,
}
BRAND_SAFETY_PENALTY_PER_FLAG = 15
BRAND_SAFETY_PENALTY_MAX = 45
_NEUTRAL = Decimal("0.5")
_ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class FitFactor:
    name: str
    weight: int
    value: Decimal
    contribution: Decimal
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weight": self.weight,
            "value": str(self.value),
            "contribution": str(self.contribution),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class FitScore:
    score: int
    factors: tuple[FitFactor, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "factors": [f.as_dict() for f in self.factors]}


def _niche_key(niche: str) -> str:
    return re.sub(r"[\s_\-]+", "", niche.lower())


def _niche_factor(creator: Creator, brand_niches: Iterable[str]) -> tuple[Decimal, str]:
    wanted = {_niche_key(n): n for n in brand_niches if n.strip()}
    if not wanted:
        return _NEUTRAL, "The brand has no niches set, so every creator counts as half a match."
    if not creator.niches:
        return _NEUTRAL, "The creator has no niches on record, so they count as half a match."
    matched = [n for n in creator.niches if _niche_key(n) in wanted]
    if not matched:
        return Decimal(0), "None of the creator's niches is one of the brand's."
    value = min(Decimal(1), Decimal(len(matched)) / Decimal(min(len(wanted), len(creator.niches))))
    return value, f"Matches the brand's niches: {', '.join(matched)}."


def _country_factor(creator: Creator, target_countries: Iterable[str]) -> tuple[Decimal, str]:
    targets = {c.upper() for c in target_countries}
    if not targets:
        return _NEUTRAL, "The brand targets no particular country."
    if creator.country is None:
        return _NEUTRAL, "The creator's country is unknown."
    if creator.country in targets:
        return Decimal(1), f"Based in {creator.country}, a target country."
    return Decimal(0), f"Based in {creator.country}, outside the target countries."


def fit_score(
    creator: Creator,
    brand_niches: Iterable[str],
    target_countries: Iterable[str],
    engagement_percentile: int,
    past_performance: int | None = None,
) -> FitScore:
    """How well a creator fits a brand, 0-100, with the factors that made the score.

    Factors and nominal weights (`FIT_WEIGHTS`): niche match 40, engagement percentile within the tier 30,
    audience country 20, past performance 10. Each factor has a value from 0 to 1 and contributes
    weight x value points. Past performance is a 0-100 percentile of the creator's results among the brand's
    partners (for example by revenue per month active); when there is none, the factor is left out and the
    other weights are scaled to fill 100. Unknowns (no niches, no country) count as half. Each brand-safety
    flag then takes `BRAND_SAFETY_PENALTY_PER_FLAG` points, at most `BRAND_SAFETY_PENALTY_MAX`. The score is
    rounded half up and kept within 0-100. The same inputs always give the same score.
    """
    if not 0 <= engagement_percentile <= 100:
        raise Invalid("engagement_percentile is 0 to 100.", {"engagement_percentile": engagement_percentile})
    if past_performance is not None and not 0 <= past_performance <= 100:
        raise Invalid("past_performance is 0 to 100.", {"past_performance": past_performance})

    niche_value, niche_text = _niche_factor(creator, brand_niches)
    country_value, country_text = _country_factor(creator, target_countries)
    parts: list[tuple[str, Decimal, str]] = [
        ("niche_match", niche_value, niche_text),
        (
            "engagement",
            Decimal(engagement_percentile) / 100,
            f"Engagement {engagement_rate(creator)} ranks at percentile {engagement_percentile} in its tier.",
        ),
        ("audience_country", country_value, country_text),
    ]
    if past_performance is not None:
        parts.append(
            (
                "past_performance",
                Decimal(past_performance) / 100,
                f"Past results rank at percentile {past_performance} among the brand's partners.",
            )
        )
    total_weight = sum(FIT_WEIGHTS[name] for name, _, _ in parts)
    scale = Decimal(100) / Decimal(total_weight)

    factors: list[FitFactor] = []
    points = Decimal(0)
    for name, value, text in parts:
        contribution = FIT_WEIGHTS[name] * scale * value
        points += contribution
        factors.append(
            FitFactor(
                name,
                FIT_WEIGHTS[name],
                value.quantize(Decimal("0.01")),
                contribution.quantize(_ONE_PLACE),
                text,
            )
        )

    flags = creator.brand_safety_flags
    penalty = min(BRAND_SAFETY_PENALTY_PER_FLAG * len(flags), BRAND_SAFETY_PENALTY_MAX)
    factors.append(
        FitFactor(
            "brand_safety",
            -BRAND_SAFETY_PENALTY_PER_FLAG,
            Decimal(len(flags)),
            Decimal(-penalty).quantize(_ONE_PLACE),
            f"Flagged: {', '.join(flags)}." if flags else "No brand-safety flags.",
        )
    )
    score = int((points - penalty).to_integral_value(ROUND_HALF_UP))
    return FitScore(score=max(0, min(100, score)), factors=tuple(factors))


# --- search ------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lowercase without accents: 'Zoë' is 'zoe'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_terms(query: str) -> tuple[str, ...]:
    """The normalised words of a free-text query, in order, without repeats."""
    words = re.split(r"[^\w]+", _fold(clean_text(query)).replace("_", " "))
    return tuple(dict.fromkeys(w for w in words if w))


def search_tokens(creator: Creator) -> frozenset[str]:
    """Normalised words over the handle (whole and split at '.', '_', '-'), the name and the niches."""
    tokens = {creator.handle}
    for text in (creator.handle, creator.display_name, *creator.niches):
        tokens.update(query_terms(text))
    tokens.update(_niche_key(n) for n in creator.niches)
    return frozenset(t for t in tokens if t)


def matches_query(tokens: Iterable[str], query: str) -> bool:
    """True when every word of the query is the start of some token ('sk' finds 'skincare')."""
    token_list = list(tokens)
    return all(any(t.startswith(term) for t in token_list) for term in query_terms(query))


# --- import ------------------------------------------------------------------------------------------


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


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == ()


def validate_creator_row(raw: Mapping[str, Any], row: int) -> CreatorDraft | RejectedRow:
    """One import row (canonical field names) as a draft, or rejected with every field at fault."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def attempt(field_name: str, parse: Any) -> None:
        value = raw.get(field_name)
        if _is_empty(value):
            return
        try:
            values[field_name] = parse(value)
        except Invalid as exc:
            detail = exc.details if isinstance(exc.details, dict) else {}
            errors[field_name] = str(detail.get(field_name) or exc.message)

    for required in REQUIRED_COLUMNS:
        if _is_empty(raw.get(required)):
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
                elif column not in canonical or _is_empty(canonical[column]):
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
                yield (
                    row,
                    RejectedRow(
                        row, {"columns": f"{len(cells):,} cells, but the header has {len(header)} columns"}
                    ),
                )
                continue
            record: dict[str, Any] = {}
            for column, cell in zip(columns, cells, strict=False):
                if column is not None and (column not in record or _is_empty(record[column])):
                    record[column] = cell
            yield row, record

    drafts, rejected, duplicates = _collect(rows())
    return ImportParseResult(tuple(drafts), tuple(rejected), ignored, duplicates)


# --- creating and merging ----------------------------------------------------------------------------

_DRAFT_FIELDS = (
    "display_name",
    "followers",
    "avg_likes",
    "avg_comments",
    "avg_views",
    "niches",
    "country",
    "language",
    "email",
    "profile_url",
    "notes",
    "brand_safety_flags",
)


def _provided(draft: CreatorDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in _DRAFT_FIELDS if not _is_empty(getattr(draft, name))}


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
