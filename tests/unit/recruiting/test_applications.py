"""The public application form: parsing, spam checks, rate limit and the rendered pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from functions.public.pages import render_application_page, render_thank_you_page
from starling.discovery.model import Creator, Platform
from starling.identity.model import Brand
from starling.recruiting.applications import (
    HONEYPOT_FIELD,
    MAX_PITCH_LENGTH,
    ApplicantHandle,
    SpamRejected,
    allow_submission,
    application_drafts,
    check_email,
    creator_from_application,
    parse_application,
    rate_limit_key,
)
from starling.shared.errors import Invalid

NOW = datetime(2025, 6, 1, 9, tzinfo=UTC)
TERMS_URL = "https://acme.com/partner-terms"


def form_brand(name: str = "Acme", **settings: str | None) -> Brand:
    """A brand as the form sees it: with terms to accept unless told otherwise."""
    return Brand(
        brand_id="brd_1", name=name, slug="acme", created_at=NOW, **{"terms_url": TERMS_URL, **settings}
    )


def good_form(**overrides: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "name": "Maya Lopez",
        "email": "Maya@Example.com",
        "platform_1": "instagram",
        "handle_1": "@Maya.Makes",
        "followers_1": "12.5k",
        "niches": "crafts, DIY",
        "country": "us",
        "pitch": "I make things.",
        "accept_terms": "yes",
        "network_opt_in": "yes",
        HONEYPOT_FIELD: "",
    }
    form.update(overrides)
    return form


# --- parsing -----------------------------------------------------------------------------------------


def test_a_complete_form_becomes_an_application() -> None:
    # Given a filled-in form, When parsed, Then every field is normalised
    application = parse_application(good_form())
    assert application.name == "Maya Lopez"
    assert application.email == "maya@example.com"
    assert application.handles == (ApplicantHandle(Platform.INSTAGRAM, "maya.makes", 12_500),)
    assert application.niches == ("crafts", "diy")
    assert application.country == "US"
    assert application.accepted_terms is True
    assert application.network_opt_in is True


def test_form_values_may_come_as_lists_like_parse_qs_gives_them() -> None:
    application = parse_application(good_form(name=["Maya Lopez"], handle_1=["maya"], network_opt_in=[]))
    assert application.name == "Maya Lopez"
    assert application.network_opt_in is False


def test_several_accounts_are_read_and_repeats_dropped() -> None:
    form = good_form(
        platform_2="tiktok", handle_2="maya", followers_2="", platform_3="instagram", handle_3="MAYA.MAKES"
    )
    application = parse_application(form)
    assert [(h.platform, h.handle) for h in application.handles] == [
        (Platform.INSTAGRAM, "maya.makes"),
        (Platform.TIKTOK, "maya"),
    ]


def test_filled_honeypot_is_rejected_as_spam() -> None:
    # Given a bot that fills every field, including the hidden one
    with pytest.raises(SpamRejected) as caught:
        parse_application(good_form(**{HONEYPOT_FIELD: "http://spam.example"}))
    # Then it is a spam rejection, distinguishable from a person's mistake
    assert caught.value.code == "spam"


def test_missing_fields_are_all_named_at_once() -> None:
    # Given an empty form
    with pytest.raises(Invalid) as caught:
        parse_application({})
    # Then each required field has its own message
    assert set(caught.value.details) == {"name", "email", "handle_1", "accept_terms"}
    assert not isinstance(caught.value, SpamRejected)


def test_consent_to_the_terms_is_required() -> None:
    with pytest.raises(Invalid) as caught:
        parse_application(good_form(accept_terms=""))
    assert set(caught.value.details) == {"accept_terms"}


@pytest.mark.parametrize("email", ["someone@mailinator.com", "x@yopmail.com", "a@eu.guerrillamail.com"])
def test_disposable_email_is_refused(email: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_application(good_form(email=email))
    assert caught.value.details == {
        "email": "Please use an email address you keep; throwaway inboxes are not accepted."
    }


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "a b@example.com", "a@site.test", "a@@example.com"])
def test_malformed_or_undeliverable_email_is_refused(email: str) -> None:
    with pytest.raises(Invalid):
        check_email(email)


@pytest.mark.parametrize("domain", ["mohmal.com", "tempail.com", "trashmail.de", "10minutemail.net"])
def test_throwaway_inboxes_come_from_the_maintained_list(domain: str) -> None:
    # Given domains the maintained list has and the old hand-kept list did not
    # When an address there is checked, Then it is refused as disposable
    with pytest.raises(Invalid) as caught:
        check_email(f"maya@{domain}")
    assert caught.value.details == {"email": "disposable address"}


@pytest.mark.parametrize("email", ["maya@gmail.com", "maya@outlook.com", "maya@proton.me"])
def test_everyday_inboxes_are_not_throwaway(email: str) -> None:
    assert check_email(email) == email


def test_ordinary_email_passes_the_check() -> None:
    assert check_email(" Ana.B+promo@Mail.Example.co.uk ") == "ana.b+promo@mail.example.co.uk"


def test_pitch_over_the_limit_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        parse_application(good_form(pitch="x" * (MAX_PITCH_LENGTH + 1)))
    assert "pitch" in caught.value.details


def test_bad_account_rows_name_their_fields() -> None:
    form = good_form(platform_1="myspace", followers_1="-4", handle_2="has space", platform_2="x")
    with pytest.raises(Invalid) as caught:
        parse_application(form)
    assert set(caught.value.details) == {"platform_1", "followers_1", "handle_2"}


def test_bad_country_is_refused() -> None:
    with pytest.raises(Invalid) as caught:
        parse_application(good_form(country="Narnia"))
    assert set(caught.value.details) == {"country"}
    # And the message says a name is as good as a code
    assert caught.value.details["country"] == (
        "Enter a country name or its two-letter code, like Germany or DE."
    )


@pytest.mark.parametrize("typed", ["Germany", "germany", "DE", "deu"])
def test_a_country_is_read_by_name_as_well_as_by_code(typed: str) -> None:
    assert parse_application(good_form(country=typed)).country == "DE"


def test_a_form_without_terms_asks_for_no_consent() -> None:
    # Given a brand without a terms URL, whose form has no terms checkbox
    # When an applicant sends the form
    application = parse_application(good_form(accept_terms=""), asks_terms=False)
    # Then it is accepted, and records no consent that was never asked for
    assert application.accepted_terms is False
    assert parse_application(good_form(), asks_terms=False).accepted_terms is False


# --- creators from an application --------------------------------------------------------------------


def test_an_application_creates_a_discoverable_creator_when_opted_in() -> None:
    application = parse_application(good_form())
    (draft,) = application_drafts(application)
    creator = creator_from_application(draft, None, application.network_opt_in, NOW)
    assert creator.handle == "maya.makes"
    assert creator.display_name == "Maya Lopez"
    assert creator.followers == 12_500
    assert creator.discoverable is True


def test_a_duplicate_application_merges_into_the_existing_creator() -> None:
    # Given Maya already in the list, discoverable, with notes from the brand
    existing = Creator(
        creator_id="cre_maya",
        platform=Platform.INSTAGRAM,
        handle="maya.makes",
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=30),
        followers=9_000,
        notes="Great reels",
        discoverable=True,
    )
    # When she applies again without opting in to the network
    application = parse_application(good_form(network_opt_in=""))
    (draft,) = application_drafts(application)
    merged = creator_from_application(draft, existing, application.network_opt_in, NOW)
    # Then the same creator is updated, notes kept, and her latest choice on the network wins
    assert merged.creator_id == "cre_maya"
    assert merged.followers == 12_500
    assert merged.notes == "Great reels"
    assert merged.discoverable is False


# --- rate limit --------------------------------------------------------------------------------------


def test_rate_limit_allows_up_to_the_limit_in_a_window() -> None:
    assert allow_submission(0, limit=3)
    assert allow_submission(2, limit=3)
    assert not allow_submission(3, limit=3)


def test_rate_limit_key_changes_with_the_window_and_hides_the_ip() -> None:
    key = rate_limit_key("203.0.113.9", "acme", NOW, window_seconds=3600)
    assert "203.0.113.9" not in key
    assert key == rate_limit_key("203.0.113.9", "acme", NOW + timedelta(minutes=59), window_seconds=3600)
    assert key != rate_limit_key("203.0.113.9", "acme", NOW + timedelta(hours=1), window_seconds=3600)
    assert key != rate_limit_key("198.51.100.1", "acme", NOW, window_seconds=3600)


# --- rendering ---------------------------------------------------------------------------------------


class _Audit(HTMLParser):
    """Collects the controls, labels and attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()
        self.meta: list[dict[str, str | None]] = []
        self.scripts = 0
        self.styles_external = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea"):
            self.controls.append(attributes)
        elif tag == "label" and attributes.get("for"):
            self.label_targets.add(str(attributes["for"]))
        elif tag == "meta":
            self.meta.append(attributes)
        elif tag == "script":
            self.scripts += 1
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.styles_external += 1


def audit(page: str) -> _Audit:
    parser = _Audit()
    parser.feed(page)
    return parser


def test_application_page_is_a_complete_mobile_first_document() -> None:
    page = render_application_page(form_brand())
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    result = audit(page)
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in result.meta
    # Works without JavaScript, with inline CSS only, posting to the brand's own path
    assert result.scripts == 0
    assert result.styles_external == 0
    assert '<form method="post" action="/apply/acme"' in page


def test_every_input_on_the_application_page_has_a_label() -> None:
    result = audit(render_application_page(form_brand()))
    ids = {str(c.get("id")) for c in result.controls}
    assert ids <= result.label_targets
    assert {"name", "email", "handle_1", "followers_1", "platform_1", "niches", "country", "pitch"} <= ids
    assert {"accept_terms", "network_opt_in", HONEYPOT_FIELD} <= ids


def test_honeypot_is_hidden_from_people_and_out_of_the_tab_order() -> None:
    page = render_application_page(form_brand())
    result = audit(page)
    (honeypot,) = [c for c in result.controls if c.get("name") == HONEYPOT_FIELD]
    assert honeypot["tabindex"] == "-1"
    assert honeypot["autocomplete"] == "off"
    assert '<div class="hp" aria-hidden="true">' in page
    assert ".hp{position:absolute;left:-10000px" in page


def test_html_injected_into_any_value_is_escaped_on_the_page() -> None:
    # Given an attacker's markup in the brand name, the values and the errors
    evil = '"><script>alert(1)</script>'
    page = render_application_page(
        form_brand(evil, logo_url=evil, terms_url=evil),
        errors={"name": evil, "email": "bad"},
        values={"name": evil, "pitch": "</textarea><script>x()</script>", "platform_1": evil},
    )
    # Then no script tag survives, and the text is shown escaped
    assert "<script>" not in page
    assert "</textarea><script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert audit(page).scripts == 0


def test_errors_appear_next_to_their_fields_and_in_a_summary() -> None:
    page = render_application_page(form_brand(), errors={"email": "Enter your email address."})
    assert 'aria-describedby="email-error" aria-invalid="true"' in page
    assert '<p class="error" id="email-error">Enter your email address.</p>' in page
    assert 'role="alert"' in page
    assert '<a href="#email">Email: Enter your email address.</a>' in page


def test_submitted_values_are_kept_when_the_form_is_shown_again() -> None:
    page = render_application_page(
        form_brand(), values={"name": "Maya", "platform_1": "tiktok", "accept_terms": "yes", "pitch": "Hi"}
    )
    assert 'id="name" name="name" value="Maya"' in page
    assert '<option value="tiktok" selected>' in page
    assert 'id="accept_terms" name="accept_terms" value="yes" checked' in page
    assert ">Hi</textarea>" in page


def test_honeypot_errors_are_never_shown() -> None:
    page = render_application_page(form_brand(), errors={HONEYPOT_FIELD: "must be empty"})
    assert "must be empty" not in page
    assert 'role="alert"' not in page


def test_thank_you_page_escapes_names() -> None:
    page = render_thank_you_page(form_brand("<b>Acme</b>"), "<img src=x onerror=alert(1)>")
    assert "<img" not in page
    assert "&lt;b&gt;Acme&lt;/b&gt;" in page
    assert '<meta name="viewport"' in page


def test_the_form_shows_the_brands_name_and_logo() -> None:
    page = render_application_page(form_brand("Acme Skin", logo_url="https://cdn.acme.com/logo.png"))
    assert '<div class="brand"><img src="https://cdn.acme.com/logo.png" alt="" height="48">' in page
    assert "<span>Acme Skin</span>" in page


def test_the_form_links_the_terms_it_asks_the_applicant_to_accept() -> None:
    page = render_application_page(form_brand())
    link = f'<a href="{TERMS_URL}" target="_blank" rel="noopener noreferrer">partner program terms</a>'
    assert link in page
    assert 'id="accept_terms" name="accept_terms" value="yes" required' in page


def test_a_brand_without_terms_gets_a_form_without_a_terms_checkbox() -> None:
    page = render_application_page(form_brand(terms_url=None))
    assert "accept_terms" not in page and "<img" not in page


def test_the_form_says_in_one_line_what_is_kept_and_why() -> None:
    page = render_application_page(form_brand())
    assert '<p class="privacy">We keep what you send here to review your application and to reply' in page


def test_the_country_hint_says_a_name_is_as_good_as_a_code() -> None:
    assert "Its name or two-letter code, for example Germany or DE" in render_application_page(form_brand())


def test_the_thank_you_page_keeps_the_brands_logo_and_name() -> None:
    page = render_thank_you_page(form_brand(logo_url="https://cdn.acme.com/logo.png"), "Maya")
    assert '<div class="brand"><img src="https://cdn.acme.com/logo.png"' in page
    assert "<span>Acme</span>" in page
