"""The pages of the public function: the application form at /apply/{brand_slug} and its answers.

The form works without JavaScript, gives every input a label, and is readable at 360 px; every value shown
is HTML-escaped. Errors come from `parse_application` (field name to sentence) and sit next to their
fields, with a summary at the top that links to each. The shell around every page is `functions.page_shell`.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import quote

from functions.page_shell import page
from starling.discovery.model import Platform
from starling.identity.model import Brand
from starling.recruiting.applications import (
    HANDLE_ROWS,
    HONEYPOT_FIELD,
    MAX_PITCH_LENGTH,
    form_value,
    is_checked,
)

# The brand's logo and name at the top of every page of its form.
_BRAND_CSS = """
.brand{display:flex;align-items:center;gap:.75rem;margin:.5rem 0 0}
.brand img{display:block;height:48px;width:auto;max-width:10rem;object-fit:contain}
.brand span{font-weight:600;overflow-wrap:anywhere}
"""
_FORM_CSS = (
    _BRAND_CSS
    + """
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
.privacy{font-size:.875rem;color:#555}
a{color:#1d4ed8}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
"""
)

_FIELD_LABELS = {
    "name": "Your name",
    "email": "Email",
    "niches": "Your niches",
    "country": "Country",
    "pitch": "A short pitch",
    "accept_terms": "Terms",
}


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
        return escape(form_value(self.values, name))

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
        chosen = form_value(self.values, name).strip().lower()
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

    def checkbox(self, name: str, label_html: str, required: bool = False) -> str:
        """A checkbox; `label_html` is HTML, escaped by the caller (it may hold a link)."""
        checked = " checked" if is_checked(self.values, name) else ""
        req = " required" if required else ""
        return (
            f'<div class="check"><input type="checkbox" id="{name}" name="{name}" value="yes"'
            f"{checked}{req}{self.error_attrs(name)}>"
            f'<label for="{name}">{label_html}</label></div>{self.error(name)}'
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


PRIVACY_NOTE = (
    "We keep what you send here to review your application and to reply to you; "
    "other brands see it only if you tick the box above."
)


def _brand_header(brand: Brand) -> str:
    """The brand's logo (when it has one) and name, so the applicant knows whom they apply to."""
    logo = ""
    if brand.logo_url:
        logo = f'<img src="{escape(brand.logo_url)}" alt="" height="48">'
    return f'<div class="brand">{logo}<span>{escape(brand.name)}</span></div>'


def _terms_checkbox(form: _Form, brand: Brand) -> str:
    """The terms to accept, linked, when the brand has set them; no terms, no checkbox."""
    if not brand.terms_url:
        return ""
    link = (
        f'<a href="{escape(brand.terms_url)}" target="_blank" rel="noopener noreferrer">'
        "partner program terms</a>"
    )
    return form.checkbox("accept_terms", f"I accept the {link} of {escape(brand.name)}", required=True)


def render_application_page(
    brand: Brand,
    errors: Mapping[str, Any] | None = None,
    values: Mapping[str, str | list[str]] | None = None,
) -> str:
    """The application form as a complete HTML document, with errors next to their fields when given."""
    errors = {k: str(v) for k, v in (errors or {}).items() if k != HONEYPOT_FIELD}
    form = _Form(errors, values or {})
    brand_name = escape(brand.name)
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
        "country",
        "Country",
        hint="Its name or two-letter code, for example Germany or DE",
        extra=' autocomplete="country-name"',
    )
    body = f"""{_brand_header(brand)}
<h1>Apply to partner with {brand_name}</h1>
<p>Tell us about yourself and your accounts. It takes about two minutes.</p>
{summary}
<form method="post" action="/apply/{escape(quote(brand.slug, safe=""))}" novalidate>
{form.text("name", "Your name", extra=' autocomplete="name" required')}
{form.text("email", "Email", kind="email", extra=' autocomplete="email" required')}
{accounts}
{form.text("niches", "Your niches", hint="Separate with commas, for example skincare, travel")}
{country}
{form.textarea("pitch", "A short pitch", f"Up to {MAX_PITCH_LENGTH} characters", MAX_PITCH_LENGTH)}
{_terms_checkbox(form, brand)}
{form.checkbox("network_opt_in", "Let other brands on Starling find my profile")}
<p class="privacy">{escape(PRIVACY_NOTE)}</p>
<div class="hp" aria-hidden="true">
<label for="{HONEYPOT_FIELD}">Leave this field empty</label>
<input type="text" id="{HONEYPOT_FIELD}" name="{HONEYPOT_FIELD}" value="" tabindex="-1" autocomplete="off">
</div>
<button type="submit">Send my application</button>
</form>"""
    return page(f"Apply to {brand.name}", body, css=_FORM_CSS)


def render_thank_you_page(brand: Brand, applicant_name: str | None = None) -> str:
    """The page after a submission (also after a refused spam one, so bots learn nothing), under the same
    logo and name as the form, so the applicant sees whom they applied to."""
    greeting = f"Thank you, {escape(applicant_name)}!" if applicant_name else "Thank you!"
    body = (
        f"{_brand_header(brand)}\n<h1>{greeting}</h1>\n"
        f"<p>Your application to {escape(brand.name)} is in. We have sent you an email to confirm it, "
        "and the team will be in touch.</p>"
    )
    return page(f"Application sent to {brand.name}", body, css=_BRAND_CSS)
