"""The recruiting pipeline through the brand API: partners, stage moves, history, outreach, analytics."""

from __future__ import annotations

import html
import re
import time
from datetime import date, timedelta

import pytest

from infra.local.cloud import LocalCloud
from infra.local.gateway import sent_emails
from tests.integration.conftest import apply, network_creator, new_brand
from tests.support import ApiClient

MAYA = {"handle": "maya.makes", "platform": "instagram", "followers": 8200, "email": "maya@gmail.com",
        "display_name": "Maya Lopez", "niches": ["skincare"]}  # fmt: skip


def _partner(api: ApiClient, key: str, creator: dict | None = None) -> dict:
    answer = api.call("POST", "/v1/partners", key, {"creator": creator or MAYA})
    assert answer.status == 201, answer.text
    return dict(answer.body)


def _wait_for(probe, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := probe():
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def _move(api: ApiClient, key: str, partner_id: str, stage: str, **extra: object):  # type: ignore[no-untyped-def]
    return api.call("POST", f"/v1/partners/{partner_id}/stage", key, {"stage": stage, **extra})


def test_a_creator_joins_the_pipeline_at_prospect_once(api: ApiClient, brand: dict) -> None:
    api.call("POST", "/v1/creators/import", brand["api_key"], [MAYA])
    creator_id = api.call("GET", "/v1/creators?q=maya", brand["api_key"]).body["items"][0]["creator_id"]
    created = api.call("POST", "/v1/partners", brand["api_key"], {"creator_id": creator_id})
    assert (
        created.status == 201
        and created.body["stage"] == "prospect"
        and created.body["email"] == "maya@gmail.com"
    )
    again = api.call("POST", "/v1/partners", brand["api_key"], {"creator_id": creator_id})
    assert again.status == 409


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"creator_id": "cre_x", "creator": MAYA},
        {"creator": {"handle": "x", "platform": "myspace"}},
        {"creator": {"handle": "x", "platform": "instagram", "followers": -1}},
        {"creator": MAYA, "stage": "active"},
    ],
)
def test_a_partner_with_bad_input_is_refused_and_nothing_is_added(
    api: ApiClient, brand: dict, body: dict
) -> None:
    answer = api.call("POST", "/v1/partners", brand["api_key"], body)
    assert answer.status in (409, 422), answer.text
    assert api.call("GET", "/v1/partners", brand["api_key"]).body["items"] == []


def test_an_unknown_creator_is_404(api: ApiClient, brand: dict) -> None:
    assert api.call("POST", "/v1/partners", brand["api_key"], {"creator_id": "cre_nobody"}).status == 404


def test_allowed_moves_succeed_and_are_kept_in_history_with_actor_time_and_note(
    api: ApiClient, brand: dict
) -> None:
    partner = _partner(api, brand["api_key"])
    for stage in ("contacted", "negotiating", "applied", "approved"):
        moved = _move(api, brand["api_key"], partner["partner_id"], stage, note=f"to {stage}")
        assert moved.status == 200 and moved.body["stage"] == stage
    path = f"/v1/partners/{partner['partner_id']}/history"
    history = api.call("GET", path, brand["api_key"]).body["items"][:5]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, "prospect"), ("prospect", "contacted"), ("contacted", "negotiating"),
        ("negotiating", "applied"), ("applied", "approved"),
    ]  # fmt: skip
    assert history[-1]["note"] == "to approved" and history[-1]["actor"].startswith("owner:key_")
    # And approval started onboarding, which moved them on as the workflow
    onboarded = _wait_for(lambda: api.call("GET", path, brand["api_key"]).body["items"][5:])
    assert [(h["to_stage"], h["actor"]) for h in onboarded] == [("onboarding", "workflow:onboarding")]
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)


def test_a_move_that_is_not_allowed_gets_409_and_an_unknown_stage_422(api: ApiClient, brand: dict) -> None:
    partner = _partner(api, brand["api_key"])
    refused = _move(api, brand["api_key"], partner["partner_id"], "active")
    assert refused.status == 409 and "contacted" in refused.body["error"]["details"]["allowed"]
    assert _move(api, brand["api_key"], partner["partner_id"], "superstar").status == 422
    assert _move(api, brand["api_key"], partner["partner_id"], "prospect").status == 409
    assert (
        api.call("GET", f"/v1/partners/{partner['partner_id']}", brand["api_key"]).body["stage"] == "prospect"
    )


def test_moving_to_contacted_can_send_the_brand_s_template_through_ses(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    template = {"subject": "Hi $first_name from $brand_name", "text_body": "Hello $at_handle, let's talk."}
    assert api.call("PUT", "/v1/email-templates/contacted", brand["api_key"], template).status == 200
    partner = _partner(api, brand["api_key"])
    assert _move(api, brand["api_key"], partner["partner_id"], "contacted", send_email=True).status == 200
    brand_name = api.call("GET", "/v1/brand", brand["api_key"]).body["name"]
    sent = [m for m in sent_emails(cloud.settings.region) if m["subject"] == f"Hi Maya from {brand_name}"]
    assert len(sent) == 1 and sent[0]["to"] == ["maya@gmail.com"] and "Hello @maya.makes" in sent[0]["body"]
    history = api.call("GET", f"/v1/partners/{partner['partner_id']}/history", brand["api_key"]).body["items"]
    email = [h for h in history if h["kind"] == "email"]
    assert email and email[0]["email_to"] == "maya@gmail.com" and email[0]["message_id"] == sent[0]["id"]


def test_outreach_to_a_partner_without_email_is_refused_and_the_stage_stays(
    api: ApiClient, brand: dict
) -> None:
    partner = _partner(api, brand["api_key"], {"handle": "no.mail", "platform": "tiktok"})
    answer = _move(api, brand["api_key"], partner["partner_id"], "contacted", send_email=True)
    assert answer.status == 422
    assert (
        api.call("GET", f"/v1/partners/{partner['partner_id']}", brand["api_key"]).body["stage"] == "prospect"
    )


def test_a_template_with_an_unknown_placeholder_is_refused(api: ApiClient, brand: dict) -> None:
    bad = {"subject": "Hi $nickname", "text_body": "x"}
    assert api.call("PUT", "/v1/email-templates/contacted", brand["api_key"], bad).status == 422
    assert (
        api.call(
            "PUT", "/v1/email-templates/nope", brand["api_key"], {"subject": "a", "text_body": "b"}
        ).status
        == 404
    )


def test_owner_notes_and_a_past_follow_up_make_a_partner_overdue(api: ApiClient, brand: dict) -> None:
    partner = _partner(api, brand["api_key"])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    patched = api.call(
        "PATCH", f"/v1/partners/{partner['partner_id']}", brand["api_key"],
        {"owner": "sam@brand.com", "follow_up_on": yesterday, "notes": "Loves our serum"},
    )  # fmt: skip
    assert (
        patched.status == 200 and patched.body["overdue"] is True and patched.body["owner"] == "sam@brand.com"
    )
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    later = api.call(
        "PATCH", f"/v1/partners/{partner['partner_id']}", brand["api_key"], {"follow_up_on": tomorrow}
    )
    assert later.body["overdue"] is False and later.body["notes"] == "Loves our serum"
    assert (
        api.call(
            "PATCH", f"/v1/partners/{partner['partner_id']}", brand["api_key"], {"stage": "active"}
        ).status
        == 422
    )


def test_partners_list_by_stage_and_the_pipeline_summarises_them(api: ApiClient, brand: dict) -> None:
    key = brand["api_key"]
    ids = [_partner(api, key, {"handle": f"p{i}", "platform": "instagram"})["partner_id"] for i in range(4)]
    for partner_id in ids[:3]:
        _move(api, key, partner_id, "contacted")
    _move(api, key, ids[0], "negotiating")
    contacted = api.call("GET", "/v1/partners?stage=contacted", key).body["items"]
    assert {p["partner_id"] for p in contacted} == set(ids[1:3])
    assert api.call("GET", "/v1/partners?stage=famous", key).status == 422
    summary = api.call("GET", "/v1/pipeline", key).body
    assert summary["counts"]["prospect"] == 1 and summary["counts"]["contacted"] == 2
    assert summary["counts"]["negotiating"] == 1
    first = summary["conversions"][0]
    assert (first["from"], first["to"], first["reached_from"], first["reached_to"]) == (
        "prospect",
        "contacted",
        4,
        3,
    )
    assert first["rate"] == "0.7500"
    assert summary["median_days_in_stage"]["prospect"] is not None


def test_another_brand_gets_404_for_a_partner(api: ApiClient, brand: dict, cloud: LocalCloud) -> None:
    partner = _partner(api, brand["api_key"])
    other = new_brand(cloud)["api_key"]
    path = f"/v1/partners/{partner['partner_id']}"
    assert api.call("GET", path, other).status == 404
    assert api.call("GET", path + "/history", other).status == 404
    assert _move(api, other, partner["partner_id"], "contacted").status == 404
    assert api.call("PATCH", path, other, {"notes": "x"}).status == 404


def test_a_finance_key_reads_partners_but_cannot_move_them(api: ApiClient, brand: dict) -> None:
    partner = _partner(api, brand["api_key"])
    finance = api.call("POST", "/v1/api-keys", brand["api_key"], {"name": "f", "role": "finance"}).body["key"]
    assert api.call("GET", "/v1/partners", finance).status == 200
    assert _move(api, finance, partner["partner_id"], "contacted").status == 403


def _everything(api: ApiClient, key: str, partner_id: str) -> list:  # type: ignore[type-arg]
    """Every answer of the brand API that shows a partner."""
    return [
        api.call("GET", f"/v1/partners/{partner_id}", key),
        api.call("GET", "/v1/partners", key),
        api.call("GET", "/v1/partners?stage=prospect", key),
        api.call("GET", "/v1/partners?stage=contacted", key),
        api.call("GET", f"/v1/partners/{partner_id}/history", key),
    ]


def test_a_brand_that_adds_a_network_creator_sees_no_email_anywhere(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given Zoë, who applied to brand A and let other brands find her
    zoe = network_creator(api, cloud)
    other = new_brand(cloud)["api_key"]
    # When brand B adds her to its pipeline (twice with one Idempotency-Key)
    headers = {"Idempotency-Key": "add-zoe"}
    created = api.call("POST", "/v1/partners", other, {"creator_id": zoe["creator_id"]}, headers=headers)
    replayed = api.call("POST", "/v1/partners", other, {"creator_id": zoe["creator_id"]}, headers=headers)
    # Then the answer has no email and says Starling writes to her for B
    assert created.status == 201 and created.body["email"] is None and created.body["contact_via_network"]
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    # And no partner answer of B's shows it: the partner, the lists, the history
    answers = [created, replayed, *_everything(api, other, created.body["partner_id"])]
    assert all(a.status == 200 or a.status == 201 for a in answers)
    assert all(zoe["email"] not in a.text for a in answers)


def test_outreach_to_a_network_creator_reaches_her_through_ses_and_the_brand_never_sees_the_address(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given brand B added Zoë from the network
    zoe = network_creator(api, cloud)
    other = new_brand(cloud)["api_key"]
    partner_id = api.call("POST", "/v1/partners", other, {"creator_id": zoe["creator_id"]}).body["partner_id"]
    # When B moves her to contacted with its outreach email
    moved = _move(api, other, partner_id, "contacted", send_email=True)
    # Then SES on moto received the email for Zoë's own address, sent by Starling for B
    assert moved.status == 200 and moved.body["stage"] == "contacted"
    brand_name = api.call("GET", "/v1/brand", other).body["name"]
    sent = [
        m
        for m in sent_emails(cloud.settings.region)
        if m["to"] == [zoe["email"]] and brand_name in m["subject"]
    ]
    assert len(sent) == 1
    body = html.unescape(sent[0]["body"])
    assert f"Starling sent this email for {brand_name}" in body and "does not have your email address" in body
    assert re.search(r"/apply/[\w-]+\?platform_1=tiktok&handle_1=" + re.escape(zoe["handle"]), body)
    # And B's answers still do not show her address; the history keeps the email's message id only
    answers = [moved, *_everything(api, other, partner_id)]
    assert all(zoe["email"] not in a.text for a in answers)
    email = [h for h in answers[-1].body["items"] if h["kind"] == "email"]
    assert [(e["email_to"], e["message_id"]) for e in email] == [(None, sent[0]["id"])]


def test_outreach_to_a_creator_who_left_the_network_is_refused_and_nothing_is_sent(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given brand B added Zoë from the network, and she then applied to A again without the opt-in
    zoe = network_creator(api, cloud)
    other = new_brand(cloud)["api_key"]
    partner_id = api.call("POST", "/v1/partners", other, {"creator_id": zoe["creator_id"]}).body["partner_id"]
    form = {"name": "Zoë Martin", "email": zoe["email"], "platform_1": "tiktok", "handle_1": zoe["handle"],
            "accept_terms": "on"}  # fmt: skip
    assert apply(api, zoe["slug"], form).status == 200
    before = len(sent_emails(cloud.settings.region))
    # When B tries to send its outreach
    refused = _move(api, other, partner_id, "contacted", send_email=True)
    # Then it is refused, the stage stays and nothing is sent
    assert refused.status == 422 and refused.body["error"]["details"] == {
        "send_email": "creator left the network"
    }
    assert api.call("GET", f"/v1/partners/{partner_id}", other).body["stage"] == "prospect"
    assert [m for m in sent_emails(cloud.settings.region)[before:] if m["to"] == [zoe["email"]]] == []
    # And B's partner still has no address
    assert all(zoe["email"] not in a.text for a in _everything(api, other, partner_id))


def test_a_brand_s_own_creator_keeps_showing_its_email_on_the_partner(api: ApiClient, brand: dict) -> None:
    partner = _partner(api, brand["api_key"])
    assert partner["email"] == "maya@gmail.com" and partner["contact_via_network"] is False
    listed = api.call("GET", "/v1/partners", brand["api_key"]).body["items"]
    assert [p["email"] for p in listed] == ["maya@gmail.com"]


def test_deleting_the_brand_s_template_brings_the_default_back(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    # Given the default template and a brand's own version of it
    key = brand["api_key"]
    default = api.call("GET", "/v1/email-templates/contacted", key).body
    own = {"subject": "Hi $first_name", "text_body": "Our own words."}
    assert api.call("PUT", "/v1/email-templates/contacted", key, own).status == 200
    # When the brand deletes its version
    answer = api.call("DELETE", "/v1/email-templates/contacted", key)
    # Then the answer and later reads are the default, and a second delete answers the same
    assert answer.status == 200, answer.text
    assert answer.body == default
    assert api.call("GET", "/v1/email-templates/contacted", key).body == default
    assert api.call("DELETE", "/v1/email-templates/contacted", key).body == default
    # And another brand's version is untouched by this brand's delete
    other = new_brand(cloud)["api_key"]
    assert api.call("PUT", "/v1/email-templates/contacted", other, own).status == 200
    api.call("DELETE", "/v1/email-templates/contacted", key)
    assert api.call("GET", "/v1/email-templates/contacted", other).body["text_body"] == "Our own words."


def test_deleting_a_template_that_does_not_exist_is_404(api: ApiClient, brand: dict) -> None:
    # Given no template named "nope"; When it is deleted; Then 404
    answer = api.call("DELETE", "/v1/email-templates/nope", brand["api_key"])
    assert answer.status == 404, answer.text
