"""The partner portal's pages and the product page: mobile-first HTML that works at 360 px without
JavaScript. Every value shown is escaped here; the shell is `functions.page_shell`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from functions.page_shell import page
from starling.contracts.onboarding import Onboarding, OnboardingStatus, OnboardingStep
from starling.contracts.tax import W9_CLASSIFICATIONS
from starling.identity.model import Brand

PORTAL_CSS = """
a{color:#1d4ed8}
header.top{display:flex;justify-content:space-between;align-items:center;gap:.5rem;margin:.25rem 0 .5rem}
header.top .brand{font-weight:700;overflow-wrap:anywhere}
header.top form{margin:0}
.linkbtn{background:none;border:0;color:#1d4ed8;font:inherit;text-decoration:underline;min-height:44px;
padding:0 .25rem}
nav.tabs{display:flex;gap:.25rem;margin:0 0 1rem;border-bottom:1px solid #ddd}
nav.tabs a{flex:1;text-align:center;padding:.75rem .25rem;text-decoration:none;color:#333;min-height:44px}
nav.tabs a[aria-current=page]{color:#1d4ed8;font-weight:700;border-bottom:3px solid #1d4ed8}
.card{background:#fff;border:1px solid #e2e2e2;border-radius:10px;padding:1rem;margin:0 0 1rem}
.card h2{font-size:1.125rem;margin:0 0 .5rem}
ol.steps{list-style:none;padding:0;margin:0}
ol.steps li{display:flex;align-items:center;gap:.75rem;padding:.75rem 0;border-bottom:1px solid #eee}
ol.steps li:last-child{border-bottom:0}
.mark{flex:none;width:1.75rem;height:1.75rem;border-radius:50%;display:flex;align-items:center;
justify-content:center;font-weight:700;background:#e5e7eb;color:#555}
.done .mark{background:#15803d;color:#fff}
.steps a{font-weight:600}
.when{display:block;font-size:.8125rem;color:#666}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
.hint{display:block;font-size:.875rem;color:#555;margin:0 0 .25rem}
input[type=text],input[type=email],input[type=url],input[type=date],select,textarea{display:block;width:100%;
min-height:44px;padding:.5rem;font:inherit;border:1px solid #767676;border-radius:6px;background:#fff}
textarea{min-height:6rem}
input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #1d4ed8;outline-offset:1px}
.choice{display:flex;gap:.5rem;align-items:center;margin:.5rem 0;padding:.75rem;border:1px solid #ccc;
border-radius:6px;background:#fff;font-weight:400}
.choice input{width:1.25rem;height:1.25rem;margin:0}
.check{display:flex;gap:.5rem;align-items:flex-start;margin:1rem 0}
.check input{width:1.5rem;height:1.5rem;margin:0;flex:none}
.check label{margin:0;font-weight:400}
.error{color:#b00020;font-size:.9375rem;margin:.25rem 0 0}
.summary{border:2px solid #b00020;border-radius:6px;padding:.75rem;background:#fff;color:#b00020}
button.primary,a.primary{display:block;width:100%;min-height:48px;margin:1.25rem 0 .5rem;padding:.75rem;
font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;border-radius:6px;text-align:center;
text-decoration:none}
.muted{color:#555;font-size:.9375rem}
.switch{display:flex;gap:.5rem;margin:.5rem 0}
.switch a{flex:1;text-align:center;padding:.6rem;border:1px solid #1d4ed8;border-radius:6px;
text-decoration:none}
.switch a[aria-current=true]{background:#1d4ed8;color:#fff}
.big{font-size:2rem;font-weight:700;margin:0}
.qr svg{display:block;width:100%;max-width:16rem;height:auto;margin:.5rem auto}
.url{font-family:ui-monospace,monospace;overflow-wrap:anywhere}
.products{list-style:none;padding:0;margin:0;display:grid;gap:.75rem}
.products li{background:#fff;border:1px solid #e2e2e2;border-radius:10px;overflow:hidden}
.products a{display:flex;gap:.75rem;align-items:center;padding:.75rem;color:inherit;text-decoration:none}
.products img{width:72px;height:72px;object-fit:cover;border-radius:6px;flex:none;background:#eee}
.products .name{font-weight:600}
.avatar{width:96px;height:96px;border-radius:50%;object-fit:cover;display:block;margin:0 auto .5rem;
background:#ddd}
.center{text-align:center}
"""


def portal_page(title: str, body: str) -> str:
    return page(title, body, css=PORTAL_CSS)


def _header(brand: Brand | None) -> str:
    name = escape(brand.name) if brand else "Partner portal"
    return (
        f'<header class="top"><span class="brand">{name}</span>'
        '<form method="post" action="/portal/logout"><button class="linkbtn" type="submit">Sign'
        " out</button></form>"
        "</header>"
    )


def _tabs(current: str) -> str:
    tabs = [
        ("/portal", "Home"),
        ("/portal/links", "Links"),
        ("/portal/deliverables", "Posts"),
        ("/portal/contracts", "Contracts"),
    ]
    items = "".join(
        f'<a href="{href}"{" aria-current=page" if href == current else ""}>{label}</a>'
        for href, label in tabs
    )
    return f'<nav class="tabs" aria-label="Portal">{items}</nav>'


def shell(brand: Brand | None, current: str, title: str, body: str) -> str:
    return portal_page(
        f"{title} · {brand.name if brand else 'Partner portal'}", _header(brand) + _tabs(current) + body
    )


# --- signing in ------------------------------------------------------------------------------------------


def login_page(next_path: str, error: str = "", email: str = "") -> str:
    problem = f'<p class="summary" role="alert">{escape(error)}</p>' if error else ""
    return portal_page(
        "Sign in · Partner portal",
        "<h1>Sign in to your partner portal</h1>"
        f"{problem}"
        '<p class="muted">We email you a link that signs you in. No password needed.</p>'
        '<form method="post" action="/portal/login">'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        '<label for="email">Your email</label>'
        f'<input type="email" id="email" name="email" autocomplete="email" required value="{escape(email)}">'
        '<button class="primary" type="submit">Email me a sign-in link</button></form>',
    )


def check_email_page(email: str) -> str:
    return portal_page(
        "Check your email · Partner portal",
        "<h1>Check your email</h1>"
        f"<p>If <strong>{escape(email)}</strong> belongs to a partner, a sign-in link is on its way.</p>"
        '<p class="muted">It works once, for 15 minutes. Nothing after a few minutes? Check your spam'
        " folder, "
        'or <a href="/portal/login">ask again</a>.</p>',
    )


def confirm_sign_in_page(secret: str, brand_name: str) -> str:
    return portal_page(
        "Sign in · Partner portal",
        f"<h1>Sign in to {escape(brand_name)}</h1>"
        '<p class="muted">Tap the button to open your partner portal on this device.</p>'
        '<form method="post" action="/portal/auth">'
        f'<input type="hidden" name="token" value="{escape(secret)}">'
        '<button class="primary" type="submit">Sign in</button></form>',
    )


LINK_PROBLEMS = {
    "used": (
        "This link was already used",
        "Each sign-in link works once. Get a new one: it takes a few seconds.",
    ),
    "expired": (
        "This link has expired",
        "Sign-in links work for 15 minutes. Get a new one: it takes a few seconds.",
    ),
    "unknown": (
        "This link no longer works",
        "It may be old or mistyped. Get a new one: it takes a few seconds.",
    ),
}


def link_problem_page(state: str, next_path: str = "/portal") -> str:
    title, text = LINK_PROBLEMS.get(state, LINK_PROBLEMS["unknown"])
    return portal_page(
        f"{title} · Partner portal",
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
        f'<a class="primary" href="/portal/login?next={quote(next_path, safe="/")}">Email me a new link</a>',
    )


# --- home and onboarding ----------------------------------------------------------------------------------

STEP_LABELS = {
    OnboardingStep.PROFILE: ("Your profile", "/portal/onboarding/profile"),
    OnboardingStep.PAYOUT: ("How you get paid", "/portal/onboarding/payout"),
    OnboardingStep.TAX: ("Your tax form", "/portal/onboarding/tax"),
}
STATUS_TEXT = {
    OnboardingStatus.WAITING_FOR_PARTNER: "A few steps and you're in.",
    OnboardingStatus.CONTRACT: "Your details are in. Your contract is next: we've emailed it to you.",
    OnboardingStatus.ACTIVE: "You're an active partner.",
    OnboardingStatus.EXPIRED: "This invitation expired. Ask the brand to invite you again.",
    OnboardingStatus.ENDED: "Onboarding ended without a signed contract.",
    OnboardingStatus.FAILED: "Something went wrong on our side; the brand has been told.",
}


@dataclass(frozen=True)
class HomeFigures:
    links: int
    clicks: int
    unique_clicks: int


def _when(onboarding: Onboarding, step: OnboardingStep) -> str:
    at = onboarding.steps.get(step)
    return f'<span class="when">Done {at.strftime("%-d %b, %H:%M")} UTC</span>' if at else ""


def _step_row(onboarding: Onboarding, step: OnboardingStep, number: str, label_html: str) -> str:
    """A step with its number, or a tick and when it was done."""
    done = step in onboarding.steps
    mark = "✓" if done else number
    return (
        f'<li class="{"done" if done else ""}"><span class="mark" aria-hidden="true">{mark}</span>'
        f"<span>{label_html}{_when(onboarding, step)}</span></li>"
    )


def home_page(brand: Brand, name: str, onboarding: Onboarding | None, figures: HomeFigures) -> str:
    body = f"<h1>Hi {escape(name)}</h1>"
    if onboarding is not None:
        rows = []
        for step, (label, href) in STEP_LABELS.items():
            link = f'<a href="{href}">{escape(label)}</a>' if onboarding.editable else escape(label)
            rows.append(_step_row(onboarding, step, str(list(STEP_LABELS).index(step) + 1), link))
        contract = '<a href="/portal/contracts">Your contract</a>'
        rows.append(_step_row(onboarding, OnboardingStep.CONTRACT_SIGNED, "4", contract))
        next_step = onboarding.next_step if onboarding.editable else None
        action = ""
        if next_step is not None and onboarding.status is OnboardingStatus.WAITING_FOR_PARTNER:
            label, href = STEP_LABELS[next_step]
            action = f'<a class="primary" href="{href}">Continue: {escape(label.lower())}</a>'
        body += (
            '<section class="card"><h2>Joining</h2>'
            f'<p class="muted">{escape(STATUS_TEXT[onboarding.status])}</p>'
            f'<ol class="steps">{"".join(rows)}</ol>{action}</section>'
        )
    body += (
        '<section class="card"><h2>Your clicks so far</h2>'
        f'<p class="big">{figures.clicks}</p><p class="muted">{figures.unique_clicks} unique, on '
        f"{figures.links} link{'s' if figures.links != 1 else ''}. Earnings will show here too.</p>"
        '<a href="/portal/links">Your links and QR codes</a></section>'
    )
    return shell(brand, "/portal", "Home", body)


def _errors_summary(errors: Mapping[str, str]) -> str:
    if not errors:
        return ""
    return '<p class="summary" role="alert">Some fields need another look.</p>'


def _field_error(errors: Mapping[str, str], name: str) -> str:
    return f'<p class="error" id="{name}-error">{escape(errors[name])}</p>' if name in errors else ""


def _input(name: str, label: str, values: Mapping[str, str], errors: Mapping[str, str], kind: str = "text",
           hint: str = "", extra: str = "") -> str:  # fmt: skip
    hint_html = f'<span class="hint" id="{name}-hint">{escape(hint)}</span>' if hint else ""
    invalid = ' aria-invalid="true"' if name in errors else ""
    described = f' aria-describedby="{name}-hint"' if hint else ""
    return (
        f'<label for="{name}">{escape(label)}</label>{hint_html}'
        f'<input type="{kind}" id="{name}" name="{name}" value="{escape(values.get(name, ""))}"'
        f"{invalid}{described}{extra}>{_field_error(errors, name)}"
    )


def _step_form(brand: Brand, title: str, action: str, fields: str, errors: Mapping[str, str]) -> str:
    body = (
        f'<p><a href="/portal">← Back</a></p><h1>{escape(title)}</h1>{_errors_summary(errors)}'
        f'<form method="post" action="{action}" novalidate>{fields}'
        '<button class="primary" type="submit">Save and continue</button></form>'
    )
    return shell(brand, "/portal", title, body)


def profile_page(brand: Brand, values: Mapping[str, str], errors: Mapping[str, str]) -> str:
    fields = (
        _input(
            "display_name",
            "Your name, as shoppers see it",
            values,
            errors,
            extra=' autocomplete="name" maxlength="80"',
        )
        + '<label for="bio">About you</label><span class="hint">One or two lines for your product'
        " page.</span>"
        f'<textarea id="bio" name="bio" maxlength="300">{escape(values.get("bio", ""))}</textarea>'
        + _field_error(errors, "bio")
        + _input(
            "photo_url",
            "Your photo (a link)",
            values,
            errors,
            kind="url",
            hint="An https:// address of a square photo of you.",
        )
    )
    return _step_form(brand, "Your profile", "/portal/onboarding/profile", fields, errors)


def _choice(name: str, value: str, label: str, chosen: str) -> str:
    checked = " checked" if value == chosen else ""
    radio = f'<input type="radio" name="{name}" value="{value}"{checked}>'
    return f'<label class="choice">{radio} {escape(label)}</label>'


def payout_page(brand: Brand, values: Mapping[str, str], errors: Mapping[str, str]) -> str:
    chosen = values.get("kind", "paypal")
    fields = (
        '<p class="muted">We never ask for bank details: you get paid through your own Stripe or PayPal'
        " account.</p>"
        '<fieldset style="border:0;padding:0;margin:0"><legend class="hint">Pay me with</legend>'
        + _choice("kind", "paypal", "PayPal", chosen)
        + _choice("kind", "stripe", "Stripe (Connect account)", chosen)
        + _field_error(errors, "kind")
        + "</fieldset>"
        + _input(
            "reference",
            "Your PayPal email, or Stripe account id",
            values,
            errors,
            hint="PayPal: the email of your account. Stripe: it starts with acct_.",
            extra=' autocomplete="off"',
        )
    )
    return _step_form(brand, "How you get paid", "/portal/onboarding/payout", fields, errors)


_CLASSIFICATION_NAMES = {
    "individual": "Individual",
    "sole_proprietor": "Sole proprietor",
    "llc": "LLC",
    "c_corporation": "C corporation",
    "s_corporation": "S corporation",
    "partnership": "Partnership",
}


def tax_page(
    brand: Brand, kind: str, values: Mapping[str, str], errors: Mapping[str, str], masked: str = ""
) -> str:
    switch = (
        '<div class="switch">'
        f'<a href="/portal/onboarding/tax?kind=w9" aria-current="{str(kind == "w9").lower()}">US person'
        f" (W-9)</a>"
        f'<a href="/portal/onboarding/tax?kind=w8ben" aria-current="{str(kind == "w8ben").lower()}">Not US'
        f" (W-8BEN)</a>"
        "</div>"
    )
    on_file = (
        f'<p class="muted">On file: tax id {escape(masked)}. Send the form again to change it.</p>'
        if masked
        else ""
    )
    fields = f'<input type="hidden" name="kind" value="{escape(kind)}">' + _input(
        "legal_name", "Legal name", values, errors, extra=' autocomplete="name"'
    )
    if kind == "w9":
        options = "".join(
            f'<option value="{c}"{" selected" if values.get("classification") == c else ""}>'
            f"{_CLASSIFICATION_NAMES[c]}</option>"
            for c in W9_CLASSIFICATIONS
        )
        fields += (
            '<label for="classification">Tax classification</label>'
            f'<select id="classification" name="classification"><option value="">Choose…</option>'
            f"{options}</select>"
            + _field_error(errors, "classification")
            + _input(
                "tax_id",
                "SSN or EIN",
                values,
                errors,
                hint="Encrypted; we only ever show its last 4 digits.",
                extra=' inputmode="numeric" autocomplete="off"',
            )
        )
    else:
        fields += (
            _input(
                "country",
                "Country of citizenship (2 letters)",
                values,
                errors,
                extra=' maxlength="2" autocomplete="country"',
            )
            + _input("date_of_birth", "Date of birth", values, errors, kind="date")
            + _input(
                "tax_id",
                "Your tax id in your country",
                values,
                errors,
                hint="Encrypted; we only ever show its last 4 characters.",
                extra=' autocomplete="off"',
            )
        )
    fields += _input("address", "Address", values, errors, extra=' autocomplete="street-address"')
    certify = (
        "I certify, under penalties of perjury, that the information on this form is true, correct and "
        "complete."
    )
    fields += (
        f'<div class="check"><input type="checkbox" id="certify" name="certify" value="on">'
        f'<label for="certify">{escape(certify)}</label></div>{_field_error(errors, "certify")}'
    )
    body_before = switch + on_file
    page_html = _step_form(brand, "Your tax form", "/portal/onboarding/tax", fields, errors)
    step_form = '<form method="post" action="/portal/onboarding/tax"'
    return page_html.replace(step_form, body_before + step_form, 1)


# --- links ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkCard:
    slug: str
    short_url: str
    destination: str
    clicks: int
    unique_clicks: int
    qr_svg: str  # trusted SVG markup from starling.links.qr


def links_page(brand: Brand, cards: Sequence[LinkCard], page_url: str | None) -> str:
    if not cards:
        body = '<h1>Your links</h1><p class="muted">Your links appear here once you\'re active.</p>'
        return shell(brand, "/portal/links", "Links", body)
    items = "".join(
        '<section class="card">'
        f'<h2 class="url">{escape(c.short_url)}</h2>'
        f'<p class="muted">Goes to {escape(c.destination)}</p>'
        f"<p><strong>{c.clicks}</strong> clicks · {c.unique_clicks} unique</p>"
        f'<div class="qr" role="img" aria-label="QR code of {escape(c.short_url)}">{c.qr_svg}</div>'
        f'<a class="primary" href="/portal/links/{quote(c.slug)}/qr.png"'
        f' download="{escape(c.slug)}-qr.png">Save QR code</a>'
        "</section>"
        for c in cards
    )
    page_link = (
        f'<p>Your product page: <a class="url" href="{escape(page_url)}">{escape(page_url)}</a></p>'
        if page_url
        else ""
    )
    return shell(brand, "/portal/links", "Links", f"<h1>Your links</h1>{page_link}{items}")


# --- the product page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductCard:
    name: str
    image_url: str | None
    price: str | None
    url: str  # the partner's tracked link


def product_page(
    brand: Brand, name: str, bio: str, photo_url: str | None, products: Sequence[ProductCard]
) -> str:
    photo = f'<img class="avatar" src="{escape(photo_url)}" alt="">' if photo_url else ""
    items = "".join(
        '<li><a href="{url}">{img}<span><span class="name">{name}</span>{price}</span></a></li>'.format(
            url=escape(p.url),
            img=f'<img src="{escape(p.image_url)}" alt="">' if p.image_url else '<img alt="">',
            name=escape(p.name),
            price=f'<span class="when">{escape(p.price)}</span>' if p.price else "",
        )
        for p in products
    )
    body = (
        f'<div class="center">{photo}<h1>{escape(name)}</h1>'
        f'<p class="muted">{escape(bio) if bio else ""}</p>'
        f'<p class="muted">My picks from <strong>{escape(brand.name)}</strong></p></div>'
        + (
            f'<ul class="products">{items}</ul>'
            if items
            else '<p class="muted center">Picks coming soon.</p>'
        )
    )
    return portal_page(f"{name}, {brand.name} picks", body)
