"""The public application form at /apply/{brand_slug}: reading a submission and its spam checks.

`parse_application` turns a posted form (as `urllib.parse.parse_qs` gives it, or single strings) into an
`Application`, or raises `Invalid` whose details name every field at fault, ready for the public function's
`render_application_page(errors=..., values=...)` (functions/public/pages.py). A filled honeypot raises
`SpamRejected`; answer it with the thank-you page and store nothing, so a bot learns nothing.

Throwaway inboxes are the maintained `disposable-email-domains` list (thousands of domains, kept current by
upgrading the package); an address at one of them, or at a subdomain of one, is refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote, urlencode

from disposable_email_domains import blocklist as _disposable_domains

from starling.discovery.model import (
    MAX_FOLLOWERS,
    MAX_NICHES,
    Creator,
    CreatorDraft,
    Platform,
    merge_creator,
    new_creator,
    normalise_handle,
    parse_platform,
)
from starling.shared.errors import Invalid
from starling.shared.values import clean_text, normalise_country, normalise_email, parse_count, parse_tags

HONEYPOT_FIELD = "website"
HANDLE_ROWS = 3  # handle rows on the form: platform_1, handle_1, followers_1 … platform_3 …
MAX_NAME_LENGTH = 120
MAX_PITCH_LENGTH = 1000
MAX_HANDLE_LENGTH = 100
RATE_LIMIT_PER_WINDOW = 5  # submissions per source per window
RATE_LIMIT_WINDOW_SECONDS = 3600

# Throwaway-inbox services, from the maintained list; an address at one of these (or a subdomain) is refused.
DISPOSABLE_EMAIL_DOMAINS: frozenset[str] = frozenset(_disposable_domains)
# Top-level domains that never receive mail (RFC 2606, RFC 6761).
_RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local"})
_HANDLE_RE = re.compile(r"^[\w.\-]+$")


class SpamRejected(Invalid):
    """The submission tripped a spam check (the honeypot). Show the thank-you page; keep nothing."""

    code = "spam"


@dataclass(frozen=True)
class ApplicantHandle:
    platform: Platform
    handle: str
    followers: int | None = None


@dataclass(frozen=True)
class Application:
    name: str
    email: str
    handles: tuple[ApplicantHandle, ...]
    niches: tuple[str, ...]
    country: str | None
    pitch: str
    accepted_terms: bool
    network_opt_in: bool


def form_value(form: Mapping[str, str | list[str]], name: str) -> str:
    """The field's value as one string (the first when the form repeats it)."""
    raw = form.get(name, "")
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return str(raw)


def is_checked(form: Mapping[str, str | list[str]], name: str) -> bool:
    """A checkbox's state, as browsers send it (`on`) or as people type it."""
    return form_value(form, name).strip().lower() in ("on", "yes", "true", "1")


def check_email(value: str) -> str:
    """A normalised address, refusing throwaway inboxes and domains that never receive mail."""
    email = normalise_email(value)
    domain = email.rsplit("@", 1)[1]
    if domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        raise Invalid("That email domain does not receive mail.", {"email": "domain does not receive mail"})
    parts = domain.split(".")
    if any(".".join(parts[i:]) in DISPOSABLE_EMAIL_DOMAINS for i in range(len(parts) - 1)):
        raise Invalid(
            "Please use an email address you keep; throwaway inboxes are not accepted.",
            {"email": "disposable address"},
        )
    return email


def _parse_handles(
    form: Mapping[str, str | list[str]], errors: dict[str, str]
) -> tuple[ApplicantHandle, ...]:
    handles: dict[tuple[Platform, str], ApplicantHandle] = {}
    for i in range(1, HANDLE_ROWS + 1):
        raw_platform, raw_handle, raw_followers = (
            form_value(form, f"platform_{i}").strip(),
            form_value(form, f"handle_{i}").strip(),
            form_value(form, f"followers_{i}").strip(),
        )
        if not raw_handle and not raw_followers:
            continue
        platform: Platform | None = None
        try:
            platform = parse_platform(raw_platform)
        except Invalid:
            errors[f"platform_{i}"] = "Choose a platform."
        handle = normalise_handle(raw_handle)
        if not handle:
            errors[f"handle_{i}"] = "Enter your handle."
        elif len(handle) > MAX_HANDLE_LENGTH or not _HANDLE_RE.match(handle):
            errors[f"handle_{i}"] = "Use letters, digits, '.', '_' and '-' only."
        followers: int | None = None
        if raw_followers:
            try:
                followers = parse_count(raw_followers, "followers", MAX_FOLLOWERS)
            except Invalid:
                errors[f"followers_{i}"] = "Enter a whole number of followers, like 12500 or 12.5k."
        if platform is not None and f"handle_{i}" not in errors:
            handles.setdefault((platform, handle), ApplicantHandle(platform, handle, followers))
    if not handles and not any(k.startswith(("platform_", "handle_", "followers_")) for k in errors):
        errors["handle_1"] = "Add at least one account."
    return tuple(handles.values())


def parse_application(form: Mapping[str, str | list[str]], asks_terms: bool = True) -> Application:
    """The application in a posted form; SpamRejected for a filled honeypot; Invalid naming each bad field.
    The terms must be accepted when the form `asks_terms` (the brand has a terms URL), and only then.

    Error details map a form field name (`name`, `email`, `handle_1` …) to a sentence for the applicant.
    """
    if form_value(form, HONEYPOT_FIELD).strip():
        raise SpamRejected("The submission was refused.", {HONEYPOT_FIELD: "must be empty"})

    errors: dict[str, str] = {}
    name = " ".join(clean_text(form_value(form, "name")).split())
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"Use at most {MAX_NAME_LENGTH} characters."

    email = ""
    raw_email = form_value(form, "email").strip()
    if not raw_email:
        errors["email"] = "Enter your email address."
    else:
        try:
            email = check_email(raw_email)
        except Invalid as exc:
            errors["email"] = exc.message

    handles = _parse_handles(form, errors)

    niches: tuple[str, ...] = ()
    try:
        niches = parse_tags(form_value(form, "niches"), "niches", MAX_NICHES, 50)
    except Invalid as exc:
        errors["niches"] = exc.message

    country: str | None = None
    if form_value(form, "country").strip():
        try:
            country = normalise_country(form_value(form, "country"))
        except Invalid:
            errors["country"] = "Enter a country name or its two-letter code, like Germany or DE."

    pitch = clean_text(form_value(form, "pitch"), multiline=True)
    if len(pitch) > MAX_PITCH_LENGTH:
        errors["pitch"] = f"Keep it to {MAX_PITCH_LENGTH} characters (you have {len(pitch)})."

    accepted_terms = asks_terms and is_checked(form, "accept_terms")
    if asks_terms and not accepted_terms:
        errors["accept_terms"] = "Please accept the terms to apply."

    if errors:
        raise Invalid("Some fields need another look.", errors)
    return Application(
        name=name,
        email=email,
        handles=handles,
        niches=niches,
        country=country,
        pitch=pitch,
        accepted_terms=accepted_terms,
        network_opt_in=is_checked(form, "network_opt_in"),
    )


def application_drafts(application: Application) -> tuple[CreatorDraft, ...]:
    """One creator draft per account in the application, for `new_creator` or `merge_creator`."""
    return tuple(
        CreatorDraft(
            platform=h.platform,
            handle=h.handle,
            row=i,
            display_name=application.name,
            followers=h.followers,
            niches=application.niches,
            country=application.country,
            email=application.email,
        )
        for i, h in enumerate(application.handles, start=1)
    )


def creator_from_application(
    draft: CreatorDraft, existing: Creator | None, network_opt_in: bool, now: datetime
) -> Creator:
    """The creator a submission creates, or the existing one it merges into (a duplicate application).

    The applicant's latest answer on the network opt-in wins: it is theirs to give and to withdraw.
    """
    if existing is None:
        return new_creator(draft, now, discoverable=network_opt_in)
    return replace(merge_creator(existing, draft, now), discoverable=network_opt_in)


def application_url(base_url: str, brand_slug: str, platform: str, handle: str) -> str:
    """The brand's form with the creator's account filled in (`prefill`), as an outreach email links it:
    an application from it lands on the partner the brand reached out to. Only public fields ride in it."""
    query = urlencode({"platform_1": platform, "handle_1": handle})
    return f"{base_url.rstrip('/')}/apply/{quote(brand_slug, safe='')}?{query}"


PREFILLED_FIELDS = ("platform_1", "handle_1")


def prefill(query: Mapping[str, str] | None) -> dict[str, str | list[str]]:
    """The form values a link may fill in: the first account's platform and handle, nothing else."""
    return {name: query[name][:MAX_HANDLE_LENGTH] for name in PREFILLED_FIELDS if query and query.get(name)}


# --- rate limit --------------------------------------------------------------------------------------


def allow_submission(previous_count_in_window: int, limit: int = RATE_LIMIT_PER_WINDOW) -> bool:
    """Fixed window: a source may submit `limit` times per window; allowed while fewer came before."""
    return previous_count_in_window < limit


def rate_limit_key(
    source_ip: str, brand_slug: str, now: datetime, window_seconds: int = RATE_LIMIT_WINDOW_SECONDS
) -> str:
    """The counter key for a source in the current window. The IP is hashed: it is not kept as such."""
    window = int(now.timestamp()) // window_seconds
    digest = hashlib.sha256(source_ip.strip().encode("utf-8")).hexdigest()[:32]
    return f"apply#{brand_slug}#{digest}#{window}"
