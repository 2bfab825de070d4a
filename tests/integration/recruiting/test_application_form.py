"""The public application form: a creator applies from a phone, without an API key."""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import urlencode

from infra.local.cloud import LocalCloud
from infra.local.gateway import sent_emails
from tests.integration.conftest import apply, network_creator, new_brand
from tests.support import ApiClient

FORM = "application/x-www-form-urlencoded"


def _form(**values: str) -> dict[str, str]:
    handle = "zoe." + uuid.uuid4().hex[:6]
    base = {"name": "Zoë Martin", "email": "zoe@gmail.com", "platform_1": "tiktok", "handle_1": handle,
            "followers_1": "15000", "niches": "food, travel", "country": "FR", "pitch": "I cook.",
            "accept_terms": "on"}  # fmt: skip
    return {**base, **values}


def _post(api: ApiClient, slug: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    return api.call("POST", f"/apply/{slug}", raw=urlencode(form).encode(), headers={"Content-Type": FORM})


def _slug(api: ApiClient, brand: dict) -> str:
    return str(api.call("GET", "/v1/brand", brand["api_key"]).body["slug"])


def test_the_form_is_accessible_html_that_works_without_javascript(api: ApiClient, brand: dict) -> None:
    page = api.call("GET", f"/apply/{_slug(api, brand)}")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert 'name="viewport"' in html and "<script" not in html and 'method="post"' in html
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert ids and ids <= labelled


def test_an_unknown_brand_has_no_form(api: ApiClient) -> None:
    assert api.call("GET", "/apply/no-such-brand").status == 404
    assert _post(api, "no-such-brand", _form()).status == 404


def test_an_application_enters_the_pipeline_at_applied_and_gets_a_confirmation(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    form = _form(email=f"zoe.{uuid.uuid4().hex[:6]}@gmail.com")
    answer = _post(api, _slug(api, brand), form)
    assert answer.status == 200 and "Thank you, Zoë Martin!" in answer.text
    partners = api.call("GET", "/v1/partners?stage=applied", brand["api_key"]).body["items"]
    assert [p["handle"] for p in partners] == [form["handle_1"]]
    assert [m["to"] for m in sent_emails(cloud.settings.region) if m["to"] == [form["email"]]] == [
        [form["email"]]
    ]
    history = api.call("GET", f"/v1/partners/{partners[0]['partner_id']}/history", brand["api_key"]).body[
        "items"
    ]
    assert history[0]["to_stage"] == "applied" and history[0]["note"] == "I cook."
    assert any(h["kind"] == "email" for h in history)


def test_a_duplicate_application_merges_into_the_first(api: ApiClient, brand: dict) -> None:
    form = _form()
    slug = _slug(api, brand)
    _post(api, slug, form)
    again = _post(api, slug, {**form, "followers_1": "16000", "pitch": "Still cooking."})
    assert again.status == 200
    partners = api.call("GET", "/v1/partners", brand["api_key"]).body["items"]
    assert len(partners) == 1
    creator = api.call("GET", f"/v1/creators/{partners[0]['creator_id']}", brand["api_key"]).body
    assert creator["followers"] == 16000


def test_the_honeypot_shows_thanks_and_keeps_nothing(api: ApiClient, brand: dict) -> None:
    answer = _post(api, _slug(api, brand), _form(website="http://spam.example"))
    assert answer.status == 200 and "Thank you" in answer.text
    assert api.call("GET", "/v1/partners", brand["api_key"]).body["items"] == []


def test_bad_fields_re_render_the_form_with_errors_and_escaped_values(api: ApiClient, brand: dict) -> None:
    answer = _post(api, _slug(api, brand), _form(email="not-an-email", name="<script>alert(1)</script>"))
    assert answer.status == 422
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text and "<script>alert" not in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert api.call("GET", "/v1/partners", brand["api_key"]).body["items"] == []


def test_html_in_an_application_is_escaped_on_the_thank_you_page(api: ApiClient, brand: dict) -> None:
    answer = _post(api, _slug(api, brand), _form(name="<img src=x onerror=alert(1)>"))
    assert answer.status == 200 and "<img" not in answer.text and "&lt;img" in answer.text


def test_disposable_email_is_refused(api: ApiClient, brand: dict) -> None:
    assert _post(api, _slug(api, brand), _form(email="x@mailinator.com")).status == 422


def test_one_source_is_rate_limited(api: ApiClient, cloud: LocalCloud) -> None:
    fresh = new_brand(cloud)
    slug = str(api.call("GET", "/v1/brand", fresh["api_key"]).body["slug"])
    statuses = [_post(api, slug, _form()).status for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_form_in_another_encoding_is_refused(api: ApiClient, brand: dict) -> None:
    answer = api.call("POST", f"/apply/{_slug(api, brand)}", body={"name": "x"})
    assert answer.status == 415


def test_an_opt_in_makes_the_applicant_discoverable_by_other_brands_without_contact_details(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    form = _form(network_opt_in="on")
    _post(api, _slug(api, brand), form)
    other = new_brand(cloud)["api_key"]
    found = api.call("GET", f"/v1/creators?scope=network&q={form['handle_1']}", other).body["items"]
    assert [c["handle"] for c in found] == [form["handle_1"]] and found[0]["source"] == "network"
    detail = api.call("GET", f"/v1/creators/{found[0]['creator_id']}", other).body
    assert detail["email"] is None
    # And the other brand can add them to its own pipeline, still without their email
    added = api.call("POST", "/v1/partners", other, {"creator_id": found[0]["creator_id"]})
    assert added.status == 201 and added.body["email"] is None


def test_without_opt_in_the_applicant_stays_with_the_brand(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    form = _form()
    _post(api, _slug(api, brand), form)
    other = new_brand(cloud)["api_key"]
    assert api.call("GET", f"/v1/creators?scope=network&q={form['handle_1']}", other).body["items"] == []


def test_the_form_fills_in_only_the_account_a_link_carries(api: ApiClient, brand: dict) -> None:
    query = urlencode({"platform_1": "tiktok", "handle_1": "zoe.cooks", "email": "someone@evil.example"})
    page = api.call("GET", f"/apply/{_slug(api, brand)}?{query}")
    assert page.status == 200
    assert (
        'name="handle_1" value="zoe.cooks"' in page.text and '<option value="tiktok" selected>' in page.text
    )
    assert "someone@evil.example" not in page.text


def test_a_creator_answers_outreach_by_applying_and_only_that_brand_then_sees_her_email(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given Zoë in the network, added by brands B and C, and B's outreach email in her inbox
    zoe = network_creator(api, cloud)
    b, c = new_brand(cloud)["api_key"], new_brand(cloud)["api_key"]
    partner_id = ""
    for key in (b, c):
        partner_id = api.call("POST", "/v1/partners", key, {"creator_id": zoe["creator_id"]}).body[
            "partner_id"
        ]
    moved = api.call(
        "POST", f"/v1/partners/{partner_id}/stage", b, {"stage": "contacted", "send_email": True}
    )
    assert moved.status == 200 and moved.body["email"] is None
    [outreach] = [
        m
        for m in sent_emails(cloud.settings.region)
        if m["to"] == [zoe["email"]] and "Starling sent" in m["body"]
    ]
    link = re.search(r"/apply/[^\s<]+", html.unescape(outreach["body"]))
    assert link is not None
    # When she follows its link, finds her account filled in, and applies to B
    page = api.call("GET", link.group(0))
    assert page.status == 200 and f'value="{zoe["handle"]}"' in page.text
    slug_b = _slug(api, {"api_key": b})
    assert link.group(0).startswith(f"/apply/{slug_b}?")
    form = {"name": "Zoë Martin", "email": zoe["email"], "platform_1": "tiktok", "handle_1": zoe["handle"],
            "pitch": "Happy to!", "accept_terms": "on", "network_opt_in": "on"}  # fmt: skip
    assert apply(api, slug_b, form).status == 200
    # Then B sees her email on the partner, in its list and on the creator; the partner is at applied
    partner = api.call("GET", f"/v1/partners/{partner_id}", b).body
    assert partner["email"] == zoe["email"] and partner["stage"] == "applied"
    assert partner["contact_via_network"] is False
    assert [p["email"] for p in api.call("GET", "/v1/partners", b).body["items"]] == [zoe["email"]]
    assert api.call("GET", f"/v1/creators/{zoe['creator_id']}", b).body["email"] == zoe["email"]
    # And C, which she did not apply to, still does not
    for path in (f"/v1/partners/{partner_id}", "/v1/partners", f"/v1/creators/{zoe['creator_id']}"):
        assert zoe["email"] not in api.call("GET", path, c).text


def test_the_form_shows_the_brands_logo_and_links_the_terms_it_asks_to_accept(
    api: ApiClient, brand: dict
) -> None:
    # Given a brand with a logo and partner terms
    settings = {"logo_url": "https://cdn.acme.test/logo.png", "terms_url": "https://acme.test/terms"}
    assert api.call("PATCH", "/v1/brand", brand["api_key"], settings).status == 200
    # When a creator opens its form
    page = api.call("GET", f"/apply/{_slug(api, brand)}")
    # Then the logo shows (the page's policy lets https images load) and the terms are a link
    assert '<img src="https://cdn.acme.test/logo.png"' in page.text
    assert "img-src https:" in page.headers["Content-Security-Policy"]
    assert '<a href="https://acme.test/terms"' in page.text and 'id="accept_terms"' in page.text
    # And an application that does not accept them is refused, naming the checkbox
    refused = _post(api, _slug(api, brand), _form(accept_terms=""))
    assert refused.status == 422 and 'id="accept_terms-error"' in refused.text


def test_a_brand_without_terms_asks_for_no_consent(api: ApiClient, brand: dict) -> None:
    # Given a brand that has set no terms URL
    slug = _slug(api, brand)
    # Then its form has no terms checkbox, says what is kept and why, and takes an application without one
    page = api.call("GET", f"/apply/{slug}").text
    assert "accept_terms" not in page and 'class="privacy"' in page
    assert _post(api, slug, _form(accept_terms="")).status == 200


def test_a_country_can_be_given_by_name(api: ApiClient, brand: dict) -> None:
    # When a creator types their country's name rather than its code
    form = _form(country="france")
    assert _post(api, _slug(api, brand), form).status == 200
    # Then the creator is recorded with its code
    (partner,) = api.call("GET", "/v1/partners", brand["api_key"]).body["items"]
    assert api.call("GET", f"/v1/creators/{partner['creator_id']}", brand["api_key"]).body["country"] == "FR"
    # And an unknown country's message says a name or a code will do
    refused = _post(api, _slug(api, brand), _form(country="Narnia"))
    assert refused.status == 422 and "country name or its two-letter code" in refused.text
