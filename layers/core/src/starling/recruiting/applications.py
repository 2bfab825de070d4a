"""The public application form at /apply/{brand_slug}: reading a submission, spam checks, and the HTML.

`parse_application` turns a posted form (as `urllib.parse.parse_qs` gives it, or single strings) into an
`Application`, or raises `Invalid` whose details name every field at fault, ready for
`render_application_page(errors=..., values=...)`. A filled honeypot raises `SpamRejected`; answer it with
the thank-you page and store nothing, so a bot learns nothing. The page works without JavaScript, gives
every input a label, and is readable at 360 px; every value shown is HTML-escaped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from starling.discovery.creators import (
    MAX_FOLLOWERS,
    MAX_NICHES,
    Creator,
    CreatorDraft,
    Platform,
    clean_text,
    merge_creator,
    new_creator,
    normalise_country,
    normalise_email,
    normalise_handle,
    parse_count,
    parse_platform,
    parse_tags,
)
from starling.shared.errors import Invalid

HONEYPOT_FIELD = "website"
HANDLE_ROWS = 3  # handle rows on the form: platform_1, handle_1, followers_1 … platform_3 …
MAX_NAME_LENGTH = 120
MAX_PITCH_LENGTH = 1000
MAX_HANDLE_LENGTH = 100
RATE_LIMIT_PER_WINDOW = 5  # submissions per source per window
RATE_LIMIT_WINDOW_SECONDS = 3600

# Throwaway-inbox services; an address at one of these (or a subdomain) is refused.
DISPOSABLE_EMAIL_DOMAINS = frozenset(
    {
        "10minutemail.com",
        "discard.email",
        "dispostable.com",
        "emailondeck.com",
        "fakeinbox.com",
        "getnada.com",
        "guerrillamail.com",
        "guerrillamail.net",
        "guerrillamail.org",
        "maildrop.cc",
        "mailinator.com",
        "mailnesia.com",
        "mintemail.com",
        "sharklasers.com",
        "spamgourmet.com",
        "temp-mail.org",
        "tempmail.com",
        "tempr.email",
        "throwawaymail.com",
        "trashmail.com",
        "yopmail.com",
    }
)
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


def _value(form: Mapping[str, str | list[str]], name: str) -> str:
    raw = form.get(name, "")
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return str(raw)


def _checked(form: Mapping[str, str | list[str]], name: str) -> bool:
    return _value(form, name).strip().lower() in ("on", "yes", "true", "1")


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
            _value(form, f"platform_{i}").strip(),
            _value(form, f"handle_{i}").strip(),
            _value(form, f"followers_{i}").strip(),
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


def parse_application(form: Mapping[str, str | list[str]]) -> Application:
    """The application in a posted form; SpamRejected for a filled honeypot; Invalid naming each bad field.

    Error details map a form field name (`name`, `email`, `handle_1` …) to a sentence for the applicant.
    """
    if _value(form, HONEYPOT_FIELD).strip():
        raise SpamRejected("The submission was refused.", {HONEYPOT_FIELD: "must be empty"})

    errors: dict[str, str] = {}
    name = " ".join(clean_text(_value(form, "name")).split())
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"Use at most {MAX_NAME_LENGTH} characters."

    email = ""
    raw_email = _value(form, "email").strip()
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
        niches = parse_tags(_value(form, "niches"), "niches", MAX_NICHES, 50)
    except Invalid as exc:
        errors["niches"] = exc.message

    country: str | None = None
    if _value(form, "country").strip():
        try:
            country = normalise_country(_value(form, "country"))
        except Invalid:
            errors["country"] = "Use a two-letter country code, like US or GB."

    pitch = clean_text(_value(form, "pitch"), multiline=True)
    if len(pitch) > MAX_PITCH_LENGTH:
        errors["pitch"] = f"Keep it to {MAX_PITCH_LENGTH} characters (you have {len(pitch)})."

    accepted_terms = _checked(form, "accept_terms")
    if not accepted_terms:
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
        network_opt_in=_checked(form, "network_opt_in"),
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


# --- HTML --------------------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;
background:#f6f6f4}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
.hint{display:block;font-size:.875rem;color:#555;margin:-.125rem 0 .25rem}
input[type=text],input[type=email],select,textarea{display:block;width:100%;min-height:44px;padding:.5rem;
font:inherit;border:1px solid #767676;border-radius:6px;background:#fff}
textarea{min-height:7rem}
input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #1d4ed8;outline-offset:1px}
fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;padding:.25rem .75rem .75rem}
legend{font-weight:600;padding:0 .25rem}
.check{display:flex;gap:.5rem;align-items:flex-start;margin:1rem 0}
.check input{width:1.5rem;height:1.5rem;margin:0;flex:none}
.check label{margin:0;font-weight:400}
.error{color:#b00020;font-size:.9375rem;margin:.25rem 0 0}
[aria-invalid=true]{border-color:#b00020;border-width:2px}
.summary{border:2px solid #b00020;border-radius:6px;padding:.75rem;background:#fff}
.summary a{color:#b00020}
button{display:block;width:100%;min-height:48px;margin:1.5rem 0;font:inherit;font-weight:600;color:#fff;
background:#1d4ed8;border:0;border-radius:6px}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
"""

_FIELD_LABELS = {
    "name": "Your name",
    "email": "Email",
    "niches": "Your niches",
    "country": "Country",
    "pitch": "A short pitch",
    "accept_terms": "Terms",
}


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _label_for(field_name: str) -> str:
    if field_name in _FIELD_LABELS:
        return _FIELD_LABELS[field_name]
    kind, _, number = field_name.partition("_")
    return f"Account {number}: {kind}" if number else field_name


class _Form:
    """Renders fields with their labels, current values and error messages, all escaped."""

    def __init__(self, errors: Mapping[str, str], values: Mapping[str, str | list[str]]) -> None:
        self.errors = errors
        self.values = values

    def value(self, name: str) -> str:
        return escape(_value(self.values, name))

    def error_attrs(self, name: str, hint_id: str | None = None) -> str:
        described = [i for i in (hint_id, f"{name}-error" if name in self.errors else None) if i]
        attrs = f' aria-describedby="{" ".join(described)}"' if described else ""
        return attrs + (' aria-invalid="true"' if name in self.errors else "")

    def error(self, name: str) -> str:
        if name not in self.errors:
            return ""
        return f'<p class="error" id="{name}-error">{escape(str(self.errors[name]))}</p>'

    def text(self, name: str, label: str, kind: str = "text", hint: str = "", extra: str = "") -> str:
        hint_html = f'<span class="hint" id="{name}-hint">{escape(hint)}</span>' if hint else ""
        return (
            f'<label for="{name}">{escape(label)}</label>{hint_html}'
            f'<input type="{kind}" id="{name}" name="{name}" value="{self.value(name)}"'
            f"{self.error_attrs(name, f'{name}-hint' if hint else None)}{extra}>"
            f"{self.error(name)}"
        )

    def textarea(self, name: str, label: str, hint: str, maxlength: int) -> str:
        return (
            f'<label for="{name}">{escape(label)}</label>'
            f'<span class="hint" id="{name}-hint">{escape(hint)}</span>'
            f'<textarea id="{name}" name="{name}" maxlength="{maxlength}"'
            f"{self.error_attrs(name, f'{name}-hint')}>{self.value(name)}</textarea>"
            f"{self.error(name)}"
        )

    def platform_select(self, name: str, label: str) -> str:
        chosen = _value(self.values, name).strip().lower()
        options = ['<option value="">Choose…</option>'] + [
            f'<option value="{p.value}"{" selected" if p.value == chosen else ""}>'
            f"{_PLATFORM_NAMES[p]}</option>"
            for p in Platform
        ]
        return (
            f'<label for="{name}">{escape(label)}</label>'
            f'<select id="{name}" name="{name}"{self.error_attrs(name)}>{"".join(options)}</select>'
            f"{self.error(name)}"
        )

    def checkbox(self, name: str, label: str, required: bool = False) -> str:
        checked = " checked" if _checked(self.values, name) else ""
        req = " required" if required else ""
        return (
            f'<div class="check"><input type="checkbox" id="{name}" name="{name}" value="yes"'
            f"{checked}{req}{self.error_attrs(name)}>"
            f'<label for="{name}">{escape(label)}</label></div>{self.error(name)}'
        )


_PLATFORM_NAMES = {
    Platform.INSTAGRAM: "Instagram",
    Platform.TIKTOK: "TikTok",
    Platform.YOUTUBE: "YouTube",
    Platform.TWITCH: "Twitch",
    Platform.PINTEREST: "Pinterest",
    Platform.X: "X (Twitter)",
    Platform.BLOG: "Blog",
}


def render_application_page(
    brand_name: str,
    brand_slug: str,
    errors: Mapping[str, Any] | None = None,
    values: Mapping[str, str | list[str]] | None = None,
) -> str:
    """The application form as a complete HTML document, with errors next to their fields when given."""
    errors = {k: str(v) for k, v in (errors or {}).items() if k != HONEYPOT_FIELD}
    form = _Form(errors, values or {})
    brand = escape(brand_name)
    summary = ""
    if errors:
        items = "".join(
            f'<li><a href="#{escape(k)}">{escape(_label_for(k))}: {escape(v)}</a></li>'
            for k, v in errors.items()
        )
        summary = (
            '<div class="summary" role="alert" aria-labelledby="summary-title">'
            f'<h2 id="summary-title">Please check {len(errors)} field{"s" if len(errors) != 1 else ""}</h2>'
            f"<ul>{items}</ul></div>"
        )
    accounts = "".join(
        f"<fieldset><legend>Account {i}{'' if i == 1 else ' (optional)'}</legend>"
        + form.platform_select(f"platform_{i}", "Platform")
        + form.text(
            f"handle_{i}", "Handle", hint="Without the @", extra=' autocapitalize="none" spellcheck="false"'
        )
        + form.text(
            f"followers_{i}", "Followers", hint="For example 12500 or 12.5k", extra=' inputmode="numeric"'
        )
        + "</fieldset>"
        for i in range(1, HANDLE_ROWS + 1)
    )
    country = form.text(
        "country", "Country", hint="Two-letter code, for example US or GB", extra=' autocomplete="country"'
    )
    body = f"""<h1>Apply to partner with {brand}</h1>
<p>Tell us about yourself and your accounts. It takes about two minutes.</p>
{summary}
<form method="post" action="/apply/{escape(quote(brand_slug, safe=""))}" novalidate>
{form.text("name", "Your name", extra=' autocomplete="name" required')}
{form.text("email", "Email", kind="email", extra=' autocomplete="email" required')}
{accounts}
{form.text("niches", "Your niches", hint="Separate with commas, for example skincare, travel")}
{country}
{form.textarea("pitch", "A short pitch", f"Up to {MAX_PITCH_LENGTH} characters", MAX_PITCH_LENGTH)}
{form.checkbox("accept_terms", f"I accept the partner program terms of {brand_name}", required=True)}
{form.checkbox("network_opt_in", "Let other brands on Starling find my profile")}
<div class="hp" aria-hidden="true">
<label for="{HONEYPOT_FIELD}">Leave this field empty</label>
<input type="text" id="{HONEYPOT_FIELD}" name="{HONEYPOT_FIELD}" value="" tabindex="-1" autocomplete="off">
</div>
<button type="submit">Send my application</button>
</form>"""
    return _page(f"Apply to {brand_name}", body)


def render_thank_you_page(brand_name: str, applicant_name: str | None = None) -> str:
    """The page after a submission (also after a refused spam one, so bots learn nothing)."""
    greeting = f"Thank you, {escape(applicant_name)}!" if applicant_name else "Thank you!"
    body = (
        f"<h1>{greeting}</h1>\n"
        f"<p>Your application to {escape(brand_name)} is in. We have sent you an email to confirm it, "
        "and the team will be in touch.</p>"
    )
    return _page(f"Application sent to {brand_name}", body)
