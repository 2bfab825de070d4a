"""A partner's post submitted for its per-post fee, and the checks Starling runs on it. Pure rules, no AWS.

Three checks, each shown with its result: the caption discloses the paid partnership (any of the brand's
disclosures, `#ad` by default), uses none of the brand's banned words, and carries the partner's own
vanity link or coupon code. Terms match case-insensitively as whole words or tags: `#ad` is not found in
`#adventure`, nor `ad` in `load`. The checks inform the brand's decision; they do not make it: a manager
approves or rejects (with a reason), and an approved post earns its `per_post` fee from the terms in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from starling.conversions.program import ProgramSettings
from starling.shared.errors import Conflict, Invalid

PLATFORMS = (
    "instagram",
    "tiktok",
    "youtube",
    "facebook",
    "x",
    "pinterest",
    "snapchat",
    "twitch",
    "blog",
    "other",
)
MAX_CAPTION = 5000
MAX_URL = 2000
MAX_REASON = 2000


class ApprovalMoved(Exception):
    """The post, the partner's paid-post count or the campaign's spend changed since read: try again."""


class DeliverableStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Check:
    """One check's result: `name` is disclosure, banned_words or link_or_coupon."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class PartnerMarks:
    """What identifies the partner in a caption: their vanity links (short URLs) and coupon codes."""

    short_urls: tuple[str, ...] = ()
    coupon_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fee:
    """What approving the post earned: the per-post fee's accrual, or why it earned none."""

    amount: int
    currency: str | None
    accrual_id: str | None
    state: str | None
    note: str


@dataclass(frozen=True)
class Deliverable:
    deliverable_id: str
    brand_id: str
    partner_id: str
    campaign_id: str | None
    url: str
    platform: str
    caption: str
    checks: tuple[Check, ...]
    status: DeliverableStatus
    submitted_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    fee: Fee | None = None

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def approve(self, actor: str, at: datetime, fee: Fee, note: str | None) -> Deliverable:
        self._undecided()
        return replace(
            self, status=DeliverableStatus.APPROVED, decided_at=at, decided_by=actor, reason=note, fee=fee
        )

    def reject(self, actor: str, at: datetime, reason: Any) -> Deliverable:
        self._undecided()
        text = reason.strip() if isinstance(reason, str) else ""
        if not text:
            raise Invalid("A rejection needs a reason the partner can act on.", {"reason": "missing"})
        return replace(self, status=DeliverableStatus.REJECTED, decided_at=at, decided_by=actor, reason=text)

    def _undecided(self) -> None:
        if self.status is not DeliverableStatus.SUBMITTED:
            raise Conflict(f"This post was already {self.status.value}.")


@lru_cache(maxsize=2048)
def _pattern(term: str) -> re.Pattern[str]:
    """`term` as a whole word or tag: no letter, digit or `_` (or `#`, for a word) right before or after."""
    before = r"(?<![\w#])" if term[:1].isalnum() or term[:1] == "_" else r"(?<!\w)"
    after = r"(?!\w)" if term[-1:].isalnum() or term[-1:] in "_" else ""
    return re.compile(before + re.escape(term) + after, re.IGNORECASE)


def found_terms(text: str, terms: tuple[str, ...]) -> list[str]:
    """The terms that appear in `text` as whole words or tags, in the order given."""
    return [t for t in terms if _pattern(t).search(text)]


def _bare(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc + parts.path).lower().rstrip("/")


def check_post(caption: str, program: ProgramSettings, marks: PartnerMarks) -> tuple[Check, ...]:
    """The three checks of a post's caption."""
    disclosed = found_terms(caption, program.disclosures)
    disclosure = Check(
        "disclosure",
        bool(disclosed),
        f"discloses with {', '.join(disclosed)}"
        if disclosed
        else f"no paid-partnership disclosure; use one of {', '.join(program.disclosures[:5])}",
    )
    banned = found_terms(caption, program.banned_words)
    banned_check = Check(
        "banned_words",
        not banned,
        f"uses banned words: {', '.join(banned)}" if banned else "no banned words",
    )
    links = [
        u
        for u in marks.short_urls
        if _bare(u) and re.search(re.escape(_bare(u)) + r"(?![\w-])", caption, re.I)
    ]
    coupons = found_terms(caption, marks.coupon_codes)
    found = [*links, *coupons]
    mark = Check(
        "link_or_coupon",
        bool(found),
        f"carries {', '.join(found)}" if found else "carries none of your vanity links or coupon codes",
    )
    return (disclosure, banned_check, mark)


def clean_submission(fields: dict[str, Any]) -> tuple[str, str, str, str | None]:
    """A submitted post's url, platform, caption and campaign id, checked (422 with the fields at fault)."""
    errors: dict[str, str] = {}
    url = fields.get("url")
    url = url.strip() if isinstance(url, str) else ""
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        errors["url"] = "the post's address, https://..."
    platform = fields.get("platform")
    platform = platform.strip().lower() if isinstance(platform, str) else ""
    if platform not in PLATFORMS:
        errors["platform"] = f"one of {', '.join(PLATFORMS)}"
    caption = fields.get("caption")
    caption = caption.strip() if isinstance(caption, str) else ""
    if not caption or len(caption) > MAX_CAPTION:
        errors["caption"] = f"the post's caption as published, 1 to {MAX_CAPTION} characters"
    campaign = fields.get("campaign_id") or None
    if campaign is not None and (
        not isinstance(campaign, str) or not re.fullmatch(r"cmp_[a-z0-9]{1,64}", campaign)
    ):
        errors["campaign_id"] = "a campaign id (cmp_...)"
    if errors:
        raise Invalid("The post needs another look.", errors)
    return url, platform, caption, campaign
