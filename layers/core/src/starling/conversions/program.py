"""A brand's program settings that conversions reads: what a post must disclose, the words it must not
use, and who on the brand's team is told about budgets. Pure values and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from starling.shared.errors import Invalid

DEFAULT_DISCLOSURES = (
    "#ad",
    "#advert",
    "#advertisement",
    "#sponsored",
    "#paid",
    "#paidpartnership",
    "#partner",
    "paid partnership",
    "sponsored by",
    "ad:",
)
MAX_TERMS = 100
MAX_TERM_LENGTH = 60
MAX_EMAILS = 20
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ProgramSettings:
    """`disclosures`: any one of them marks a post as a paid partnership (matched case-insensitively, as
    whole words or tags); `banned_words`: none may appear; `manager_emails`: who gets budget warnings."""

    disclosures: tuple[str, ...] = DEFAULT_DISCLOSURES
    banned_words: tuple[str, ...] = ()
    manager_emails: tuple[str, ...] = ()


class ProgramSettingsStore(Protocol):
    def get(self, brand_id: str) -> ProgramSettings: ...
    def put(self, brand_id: str, settings: ProgramSettings) -> None: ...


def _terms(value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or len(value) > MAX_TERMS:
        raise Invalid(f"{field} is a list of at most {MAX_TERMS} words or phrases.", {field: "bad"})
    cleaned: list[str] = []
    for term in value:
        text = term.strip().lower() if isinstance(term, str) else ""
        if not text or len(text) > MAX_TERM_LENGTH:
            raise Invalid(f"Each of {field} is 1 to {MAX_TERM_LENGTH} characters.", {field: repr(term)[:80]})
        if text not in cleaned:
            cleaned.append(text)
    return tuple(cleaned)


def program_settings(fields: dict[str, Any], before: ProgramSettings) -> ProgramSettings:
    """The settings after a change: each field given replaces the one before."""
    disclosures = (
        _terms(fields["disclosures"], "disclosures") if "disclosures" in fields else before.disclosures
    )
    if not disclosures:
        raise Invalid("Name at least one disclosure a post can use.", {"disclosures": "empty"})
    banned = (
        _terms(fields["banned_words"], "banned_words") if "banned_words" in fields else before.banned_words
    )
    emails = before.manager_emails
    if "manager_emails" in fields:
        given = fields["manager_emails"]
        if not isinstance(given, list | tuple) or len(given) > MAX_EMAILS:
            raise Invalid(
                f"manager_emails is a list of at most {MAX_EMAILS} addresses.", {"manager_emails": "bad"}
            )
        bad = [e for e in given if not isinstance(e, str) or len(e) > 254 or not _EMAIL_RE.match(e)]
        if bad:
            raise Invalid(
                "manager_emails holds addresses like team@brand.com.", {"manager_emails": str(bad[0])}
            )
        emails = tuple(dict.fromkeys(e.lower() for e in given))
    return ProgramSettings(disclosures, banned, emails)
