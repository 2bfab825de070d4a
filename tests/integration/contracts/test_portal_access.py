"""Signing in to the portal over HTTP on the local cloud: magic links (single use, 15 minutes, only their
hash stored), the session cookie, and a partner's session that never reaches another partner's data."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.integration.contracts.portal_support import (
    Phone,
    applied_partner,
    approve,
    emails_to,
    magic_links,
    wait_for,
)
from tests.support import ApiClient

PORTAL_PAGES = ["/portal", "/portal/links", "/portal/onboarding/profile", "/portal/onboarding/payout",
                "/portal/onboarding/tax"]  # fmt: skip


@pytest.fixture()
def invited(api: ApiClient, cloud: LocalCloud, brand: dict[str, str]) -> dict[str, str]:
    partner = applied_partner(api, brand)
    return {**partner, "link": approve(api, cloud, brand, partner)}


def test_the_invitation_s_magic_link_signs_in_once_with_a_secure_session_cookie(
    cloud: LocalCloud, invited: dict[str, str]
) -> None:
    # Given the invitation's magic link
    phone = Phone(cloud.api_url)
    # When the partner opens it and taps Sign in
    signed_in = phone.sign_in(invited["link"])
    # Then they land in the portal with a signed, HttpOnly, Secure, SameSite=Lax session cookie
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/portal"
    assert all(flag in phone.set_cookie for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"))
    home = phone.go("GET", "/portal")
    assert home.status == 200 and "Your profile" in home.text
    # And the same link again is a clear page with a way to get a new one, not an error
    again = Phone(cloud.api_url)
    reused = again.go("GET", invited["link"])
    assert reused.status == 200 and "already used" in reused.text and "/portal/login" in reused.text
    assert again.go("POST", "/portal/auth", {"token": _secret(invited["link"])}).status == 200
    assert again.cookie is None


def test_only_the_hash_of_a_magic_link_s_secret_is_stored(cloud: LocalCloud, invited: dict[str, str]) -> None:
    secret = _secret(invited["link"])
    table = cloud.physical_id("DataCoreTable", "AWS::DynamoDB::Table")
    items = cloud.client("dynamodb").scan(TableName=table)["Items"]
    assert not [i for i in items if secret in str(i)]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    assert [i for i in items if i["pk"]["S"] == f"MAGIC#{digest}"]


def test_an_expired_magic_link_offers_a_new_one(cloud: LocalCloud, invited: dict[str, str]) -> None:
    # Given a link whose 15 minutes are over
    secret = _secret(invited["link"])
    table = cloud.physical_id("DataCoreTable", "AWS::DynamoDB::Table")
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    cloud.client("dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": f"MAGIC#{hashlib.sha256(secret.encode()).hexdigest()}"}, "sk": {"S": "link"}},
        UpdateExpression="SET valid_until = :past",
        ExpressionAttributeValues={":past": {"S": past}},
    )
    phone = Phone(cloud.api_url)
    # When the partner opens it
    opened = phone.go("GET", invited["link"])
    # Then the page says it expired and offers a new link
    assert (
        opened.status == 200
        and "expired" in opened.text
        and 'href="/portal/login?next=/portal"' in opened.text
    )
    assert phone.go("POST", "/portal/auth", {"token": secret}).status == 200 and phone.cookie is None


def test_asking_for_a_link_answers_the_same_for_a_known_and_an_unknown_address(
    cloud: LocalCloud, invited: dict[str, str]
) -> None:
    phone = Phone(cloud.api_url)
    before = len(magic_links(cloud, invited["email"]))
    known = phone.go("POST", "/portal/login", {"email": invited["email"].upper(), "next": "/portal/links"})
    unknown = phone.go("POST", "/portal/login", {"email": "nobody@example.org", "next": "/portal/links"})
    assert known.status == unknown.status == 200
    assert known.text.replace(invited["email"].upper(), "X") == unknown.text.replace(
        "nobody@example.org", "X"
    )
    link = wait_for(lambda: magic_links(cloud, invited["email"])[before:], what="the sign-in email")[-1]
    assert emails_to(cloud, "nobody@example.org") == []
    # And the new link leads back to the page asked for
    assert phone.sign_in(link).headers["Location"] == "/portal/links"


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/x", "/v1/brand", "/portal/../v1"]
)
def test_a_sign_in_leads_only_within_the_portal(
    cloud: LocalCloud, invited: dict[str, str], next_path: str
) -> None:
    phone = Phone(cloud.api_url)
    phone.go("POST", "/portal/login", {"email": invited["email"], "next": next_path})
    link = wait_for(lambda: magic_links(cloud, invited["email"])[1:], what="the sign-in email")[-1]
    assert phone.sign_in(link).headers["Location"] == "/portal"


def test_without_a_session_every_page_asks_to_sign_in_and_comes_back(cloud: LocalCloud) -> None:
    phone = Phone(cloud.api_url)
    for path in PORTAL_PAGES:
        answer = phone.go("GET", path)
        assert answer.status == 303, path
        assert answer.headers["Location"] == f"/portal/login?next={path}"
    phone.cookie = "eyJiIjoiYnJkX3giLCJwIjoicHRuX3giLCJlIjo5OTk5OTk5OTk5fQ.forged"
    assert phone.go("GET", "/portal").status == 303
    assert phone.go("POST", "/portal/onboarding/profile", {"display_name": "X"}).status == 303


def test_a_partner_s_session_never_reaches_another_partner_s_data(
    api: ApiClient, cloud: LocalCloud, brand: dict[str, str]
) -> None:
    # Given two partners of two brands, each signed in, and one of them with a link
    maya = applied_partner(api, brand, "Maya Lopez")
    other_brand = new_brand(cloud)
    ben = applied_partner(api, other_brand, "Ben Okafor")
    maya_phone, ben_phone = Phone(cloud.api_url), Phone(cloud.api_url)
    maya_phone.sign_in(approve(api, cloud, brand, maya))
    ben_phone.sign_in(approve(api, cloud, other_brand, ben))
    serum = {"partner_id": maya["partner_id"], "destination_url": "https://shop.example.com/serum"}
    link = api.call("POST", "/v1/links", brand["api_key"], serum).body
    maya_phone.go("POST", "/portal/onboarding/profile", {"display_name": "Maya L"})
    # When Ben's session opens every page
    for path in PORTAL_PAGES:
        page = ben_phone.go("GET", path)
        # Then nothing of Maya's shows
        assert page.status == 200, path
        assert maya["handle"] not in page.text and "Maya" not in page.text and link["slug"] not in page.text
    # And Maya's QR code is not found for Ben, though it is for Maya
    assert ben_phone.go("GET", f"/portal/links/{link['slug']}/qr.png").status == 404
    assert maya_phone.go("GET", f"/portal/links/{link['slug']}/qr.png").status == 200
    # And Ben's step is his own
    ben_phone.go("POST", "/portal/onboarding/profile", {"display_name": "Ben O"})
    assert "Maya L" in maya_phone.go("GET", "/portal/onboarding/profile").text


def test_signing_out_ends_the_session_cookie(cloud: LocalCloud, invited: dict[str, str]) -> None:
    phone = Phone(cloud.api_url)
    phone.sign_in(invited["link"])
    out = phone.go("POST", "/portal/logout")
    assert out.status == 303 and "Max-Age=0" in phone.set_cookie and phone.cookie is None
    assert phone.go("GET", "/portal").status == 303


def _secret(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]
