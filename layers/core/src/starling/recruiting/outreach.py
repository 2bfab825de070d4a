"""Outreach emails: a brand's template filled in with a creator's fields.

Templates use `string.Template` placeholders, `$handle` or `${first_name}` (write `$$` for a dollar sign).
The known placeholders are in `PLACEHOLDERS`; `validate_template` refuses others when a brand saves a
template, and rendering leaves anything unknown as typed (`safe_substitute`) rather than failing a send.
Values are plain text in the subject and text body (line breaks removed from the subject, so no field can
add a header) and HTML-escaped in the HTML body.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from html import escape
from string import Template

from starling.discovery.model import Creator
from starling.recruiting.model import EmailTemplate
from starling.shared.errors import Invalid

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 20_000

PLACEHOLDERS: dict[str, str] = {
    "handle": "the creator's handle, without @",
    "at_handle": "the handle with @",
    "name": "the creator's display name (or handle)",
    "first_name": "the first word of the display name (or the handle)",
    "platform": "the platform, for example instagram",
    "followers": "the follower count, like 12,500",
    "niches": "the creator's niches, comma separated",
    "brand_name": "the brand's name",
    "sender_name": "who signs the email",
    "apply_url": "the brand's application page",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text_body: str
    html_body: str
    unknown_placeholders: tuple[str, ...] = ()


DEFAULT_CONTACTED_TEMPLATE = EmailTemplate(
    subject="${brand_name} would love to partner with you, ${first_name}",
    text_body=(
        "Hi ${first_name},\n\n"
        "We love what you share as @${handle} on ${platform}, and we think our community would too. "
        "${brand_name} runs a partner program for creators like you: your own links and discount code, "
        "commission on every sale, and free products to try.\n\n"
        "If that sounds good, tell us a little about yourself here: ${apply_url}\n\n"
        "Or just reply to this email.\n\n"
        "Thanks,\n${sender_name}\n${brand_name}"
    ),
)


def _placeholders(text: str) -> list[str]:
    template = Template(text)
    if not template.is_valid():
        raise Invalid(
            "The template has a '$' that is not a placeholder; write $$ for a dollar sign.",
            {"template": "invalid placeholder"},
        )
    return template.get_identifiers()


def validate_template(template: EmailTemplate) -> EmailTemplate:
    """The template when every part is within its length and uses only known placeholders; else Invalid."""
    errors: dict[str, str] = {}
    parts = {"subject": template.subject, "text_body": template.text_body, "html_body": template.html_body}
    limits = {"subject": MAX_SUBJECT_LENGTH, "text_body": MAX_BODY_LENGTH, "html_body": MAX_BODY_LENGTH}
    for name, text in parts.items():
        if text is None:
            continue
        if not text.strip() and name != "html_body":
            errors[name] = "required"
            continue
        if len(text) > limits[name]:
            errors[name] = f"more than {limits[name]} characters"
            continue
        try:
            unknown = sorted(set(_placeholders(text)) - set(PLACEHOLDERS))
        except Invalid:
            errors[name] = "a '$' that is not a placeholder (write $$ for a dollar sign)"
            continue
        if unknown:
            errors[name] = "unknown placeholders: " + ", ".join(unknown)
    if errors:
        raise Invalid("The email template needs another look.", errors)
    return template


def creator_fields(
    creator: Creator,
    brand_name: str,
    sender_name: str | None = None,
    apply_url: str = "",
) -> dict[str, str]:
    """The placeholder values for a creator."""
    name = creator.display_name.strip() or creator.handle
    return {
        "handle": creator.handle,
        "at_handle": "@" + creator.handle,
        "name": name,
        "first_name": name.split()[0] if name.split() else creator.handle,
        "platform": creator.platform.value,
        "followers": f"{creator.followers:,}",
        "niches": ", ".join(creator.niches),
        "brand_name": brand_name,
        "sender_name": sender_name or f"The {brand_name} team",
        "apply_url": apply_url,
    }


def _one_line(value: str) -> str:
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value).split())


def _html_from_text(text: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "\n".join("<p>" + escape(p).replace("\n", "<br>\n") + "</p>" for p in paragraphs)


def network_notice(brand_name: str, apply_url: str) -> str:
    """What an outreach email to a network creator adds: who sent it, that the brand has not got their
    address, and how to answer (applying is how the creator shares it with the brand)."""
    brand = _one_line(brand_name)
    return (
        f"Starling sent this email for {brand} because you let brands on Starling find your profile. "
        f"{brand} does not have your email address, and a reply to this email does not reach them. "
        f"To answer, apply here: {apply_url}\n"
        f"Your email address goes to {brand} only when you apply."
    )


def with_notice(email: RenderedEmail, notice: str) -> RenderedEmail:
    """The email with a notice below the brand's text, plain in the text body and escaped in the HTML."""
    html_notice = escape(notice).replace("\n", "<br>\n")
    return replace(
        email,
        text_body=f"{email.text_body.rstrip()}\n\n--\n{notice}\n",
        html_body=f"{email.html_body}\n<hr>\n<p>{html_notice}</p>",
    )


def render_email(template: EmailTemplate, fields: Mapping[str, str]) -> RenderedEmail:
    """The template filled in. Unknown placeholders stay as typed and are listed in the result.

    Without an HTML template, the HTML body is the text body escaped, in paragraphs.
    """
    subject_fields = {k: _one_line(v) for k, v in fields.items()}
    subject = _one_line(Template(template.subject).safe_substitute(subject_fields))[:MAX_SUBJECT_LENGTH]
    text_body = Template(template.text_body).safe_substitute(fields)
    if template.html_body is None:
        html_body = _html_from_text(text_body)
    else:
        html_body = Template(template.html_body).safe_substitute({k: escape(v) for k, v in fields.items()})
    used = {
        name
        for text in (template.subject, template.text_body, template.html_body or "")
        for name in Template(text).get_identifiers()
    }
    unknown = tuple(sorted(used - set(fields)))
    return RenderedEmail(
        subject=subject, text_body=text_body, html_body=html_body, unknown_placeholders=unknown
    )
