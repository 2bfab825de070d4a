"""The portal's posts page: submit a post (its address, platform and caption) and see each one's checks,
status and fee. Every value shown is escaped here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from functions.portal.pages import shell
from starling.conversions.deliverables import PLATFORMS, Deliverable, DeliverableStatus
from starling.identity.model import Brand
from starling.shared.money import Money, format_amount

POSTS_CSS = (
    "<style>.badge{display:inline-block;padding:.125rem .5rem;border-radius:999px;background:#e5e7eb;"
    "font-size:.875rem}.badge.ok{background:#dcfce7;color:#166534}"
    ".badge.no{background:#fee2e2;color:#991b1b}"
    ".checks{list-style:none;padding:0;margin:.5rem 0 0}"
    ".checks li{display:flex;gap:.5rem;align-items:flex-start;"
    "padding:.375rem 0;border-top:1px solid #eee}.checks .mark{width:1.5rem;height:1.5rem;font-size:.875rem}"
    ".checks .fail .mark{background:#b00020;color:#fff}.checks .done .mark{background:#15803d;color:#fff}"
    ".posturl{font-family:ui-monospace,monospace;font-size:.875rem;overflow-wrap:anywhere}"
    ".caption{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.9375rem;background:#f6f6f6;"
    "border-radius:6px;padding:.5rem;margin:.5rem 0}.visually-hidden{position:absolute;width:1px;height:1px;"
    "overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}</style>"
)
CHECK_LABELS = {
    "disclosure": "Says it's a paid partnership",
    "banned_words": "No banned words",
    "link_or_coupon": "Has your link or code",
}
PLATFORM_LABELS = {
    "instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube", "facebook": "Facebook", "x": "X",
    "pinterest": "Pinterest", "snapchat": "Snapchat", "twitch": "Twitch", "blog": "Blog", "other": "Other",
}  # fmt: skip
STATUS_BADGES = {
    DeliverableStatus.SUBMITTED: ("Waiting for review", ""),
    DeliverableStatus.APPROVED: ("Approved", "ok"),
    DeliverableStatus.REJECTED: ("Rejected", "no"),
}


def _error(errors: Mapping[str, str], name: str) -> str:
    return f'<p class="error" id="{name}-error">{escape(errors[name])}</p>' if name in errors else ""


def _invalid(errors: Mapping[str, str], name: str) -> str:
    return f' aria-invalid="true" aria-describedby="{name}-error"' if name in errors else ""


def _form(values: Mapping[str, str], errors: Mapping[str, str], disclosures: Sequence[str]) -> str:
    chosen = values.get("platform", "instagram")
    options = "".join(
        f'<option value="{p}"{" selected" if p == chosen else ""}>{PLATFORM_LABELS[p]}</option>'
        for p in PLATFORMS
    )
    examples = " or ".join(disclosures[:2])
    summary = '<p class="summary" role="alert">Some fields need another look.</p>' if errors else ""
    return (
        '<section class="card"><h2>Submit a post</h2>'
        f"{summary}"
        '<form method="post" action="/portal/deliverables" novalidate>'
        '<label for="url">Link to the post</label>'
        f'<input type="url" id="url" name="url" value="{escape(values.get("url", ""))}"'
        f' placeholder="https://" inputmode="url" autocomplete="off"{_invalid(errors, "url")}>'
        f"{_error(errors, 'url')}"
        f'<label for="platform">Platform</label><select id="platform" name="platform">{options}</select>'
        f"{_error(errors, 'platform')}"
        '<label for="caption">Caption, as posted</label>'
        f'<span class="hint" id="caption-hint">Include a disclosure such as {escape(examples)},'
        " and your link or code.</span>"
        f'<textarea id="caption" name="caption" maxlength="5000"{_invalid(errors, "caption")}>'
        f"{escape(values.get('caption', ''))}</textarea>{_error(errors, 'caption')}"
        '<button class="primary" type="submit">Submit for review</button></form></section>'
    )


def _post(d: Deliverable, locale: str) -> str:
    label, tone = STATUS_BADGES[d.status]
    checks = "".join(
        f'<li class="{"done" if c.passed else "fail"}"><span class="mark" aria-hidden="true">'
        f"{'✓' if c.passed else '✗'}</span><span><strong>{escape(CHECK_LABELS.get(c.name, c.name))}</strong>"
        f'<span class="visually-hidden">{" passed" if c.passed else " failed"}</span>'
        f'<span class="when">{escape(c.detail)}</span></span></li>'
        for c in d.checks
    )
    outcome = ""
    if d.status is DeliverableStatus.REJECTED and d.reason:
        outcome = f'<p class="error">Why: {escape(d.reason)}</p>'
    elif d.status is DeliverableStatus.APPROVED and d.fee is not None:
        if d.fee.amount and d.fee.currency:
            earned = format_amount(Money(d.fee.amount, d.fee.currency), locale)
            outcome = f"<p>Earned <strong>{escape(earned)}</strong></p>"
        else:
            outcome = '<p class="muted">Approved; no fee for this post.</p>'
    return (
        f'<section class="card" id="{escape(d.deliverable_id)}">'
        f"<h2>{escape(PLATFORM_LABELS.get(d.platform, d.platform))}"
        f" · {d.submitted_at:%b} {d.submitted_at.day}"
        f' <span class="badge {tone}">{escape(label)}</span></h2>'
        f'<a class="posturl" href="{escape(d.url)}" rel="noopener noreferrer">{escape(d.url)}</a>'
        f'<p class="caption">{escape(d.caption)}</p>'
        f'<ul class="checks" aria-label="Checks">{checks}</ul>{outcome}</section>'
    )


def deliverables_page(
    brand: Brand,
    posts: Sequence[Deliverable],
    disclosures: Sequence[str],
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> str:
    listing = "".join(_post(d, brand.locale) for d in posts) or '<p class="muted">No posts yet.</p>'
    body = (
        POSTS_CSS
        + "<h1>Your posts</h1>"
        + _form(values or {}, errors or {}, disclosures)
        + f"<h2>Submitted</h2>{listing}"
    )
    return shell(brand, "/portal/deliverables", "Posts", body)
