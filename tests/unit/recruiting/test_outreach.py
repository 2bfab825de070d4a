"""Outreach emails: templates filled with a creator's fields, escaped where they are HTML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from starling.discovery.model import Creator, Platform
from starling.recruiting.outreach import (
    DEFAULT_CONTACTED_TEMPLATE,
    MAX_SUBJECT_LENGTH,
    EmailTemplate,
    creator_fields,
    render_email,
    validate_template,
)
from starling.shared.errors import Invalid

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def make_creator(**overrides: object) -> Creator:
    fields: dict[str, object] = {
        "creator_id": "cre_1",
        "platform": Platform.TIKTOK,
        "handle": "maya.makes",
        "created_at": NOW,
        "updated_at": NOW,
        "display_name": "Maya Lopez",
        "followers": 12_500,
        "niches": ("crafts", "diy"),
    }
    fields.update(overrides)
    return Creator(**fields)  # type: ignore[arg-type]


def test_default_contacted_template_greets_the_creator_by_first_name() -> None:
    # Given a creator and the brand's details
    fields = creator_fields(make_creator(), "Acme", "Sam", "https://acme.example/apply/acme")
    # When the default "contacted" email is rendered
    email = render_email(DEFAULT_CONTACTED_TEMPLATE, fields)
    # Then it names the creator, the brand and the application page
    assert email.subject == "Acme would love to partner with you, Maya"
    assert email.text_body.startswith("Hi Maya,\n\n")
    assert "@maya.makes on tiktok" in email.text_body
    assert "https://acme.example/apply/acme" in email.text_body
    assert email.text_body.endswith("Thanks,\nSam\nAcme")
    assert email.html_body.startswith("<p>Hi Maya,</p>")
    assert email.unknown_placeholders == ()


def test_creator_without_a_name_is_greeted_by_handle() -> None:
    fields = creator_fields(make_creator(display_name=""), "Acme")
    assert fields["first_name"] == "maya.makes"
    assert fields["sender_name"] == "The Acme team"
    assert fields["followers"] == "12,500"
    assert fields["niches"] == "crafts, diy"


def test_unknown_placeholders_are_left_as_typed_and_reported() -> None:
    template = EmailTemplate(subject="Hi ${first_name}", text_body="Your code is $coupon_code. Costs $$5.")
    email = render_email(template, creator_fields(make_creator(), "Acme"))
    assert email.text_body == "Your code is $coupon_code. Costs $5."
    assert email.unknown_placeholders == ("coupon_code",)


def test_html_in_creator_fields_is_escaped_in_the_html_body() -> None:
    # Given a creator whose name carries markup
    creator = make_creator(display_name='<img src=x onerror="alert(1)"> Eve')
    template = EmailTemplate(subject="Hi $name", text_body="Hi $name", html_body="<p>Hi <b>${name}</b></p>")
    # When rendered
    email = render_email(template, creator_fields(creator, "Acme"))
    # Then the brand's own markup stays, and the creator's is escaped
    assert email.html_body == "<p>Hi <b>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Eve</b></p>"
    assert "<img" not in render_email(EmailTemplate("s", "Hi $name"), creator_fields(creator, "A")).html_body


def test_subject_never_carries_a_line_break_from_a_field() -> None:
    fields = creator_fields(make_creator(display_name="Eve\r\nBcc: victim@example.com"), "Acme")
    email = render_email(EmailTemplate(subject="For $name", text_body="x"), fields)
    assert "\n" not in email.subject and "\r" not in email.subject
    assert email.subject == "For Eve Bcc: victim@example.com"


def test_subject_is_capped() -> None:
    fields = creator_fields(make_creator(display_name="A" * 500), "Acme")
    assert len(render_email(EmailTemplate("$name", "x"), fields).subject) == MAX_SUBJECT_LENGTH


def test_validate_template_accepts_the_default() -> None:
    assert validate_template(DEFAULT_CONTACTED_TEMPLATE) is DEFAULT_CONTACTED_TEMPLATE


def test_validate_template_names_unknown_placeholders_and_bad_dollars() -> None:
    with pytest.raises(Invalid) as caught:
        validate_template(EmailTemplate(subject="Hi $nickname", text_body="Only $ 5", html_body=None))
    assert caught.value.details == {
        "subject": "unknown placeholders: nickname",
        "text_body": "a '$' that is not a placeholder (write $$ for a dollar sign)",
    }


def test_validate_template_requires_subject_and_body() -> None:
    with pytest.raises(Invalid) as caught:
        validate_template(EmailTemplate(subject=" ", text_body=""))
    assert caught.value.details == {"subject": "required", "text_body": "required"}
