"""Erasing a creator on request (DELETE /v1/creators/{id}) and the brand's audit log (GET /v1/audit-log),
on the real handlers: the creator's personal data leaves every answer of the brand and the network, the
partner and its figures stay, and the audit log records what went, never the data."""

from __future__ import annotations

import json

from infra.local.cloud import LocalCloud
from tests.integration.conftest import network_creator, new_brand
from tests.support import ApiClient


def _key(api: ApiClient, owner_key: str, role: str) -> str:
    return str(api.call("POST", "/v1/api-keys", owner_key, {"name": role, "role": role}).body["key"])


def test_an_erased_creator_appears_nowhere_in_the_brands_answers_and_the_network_copy_is_gone(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given Zoë, who applied to brand A (a partner with history) and joined the network
    zoe = network_creator(api, cloud)
    owner = zoe["owner_key"]
    [partner] = api.call("GET", "/v1/partners", owner).body["items"]
    other = new_brand(cloud)
    assert api.call("GET", f"/v1/creators/{zoe['creator_id']}", other["api_key"]).status == 200
    # When a manager of A erases her
    manager = _key(api, owner, "manager")
    erased = api.call("DELETE", f"/v1/creators/{zoe['creator_id']}", manager)
    # Then the answer names the kinds of data erased
    assert erased.status == 200, erased.text
    assert {"email", "handle", "partner.email", "network.creator"} <= set(erased.body["fields"])
    # And A has no creator of hers, search finds her nowhere, and the partner keeps only its id and stage
    assert api.call("GET", f"/v1/creators/{zoe['creator_id']}", owner).status == 404
    answers = [
        api.call("GET", f"/v1/creators?q={zoe['handle']}&scope=all", owner),
        api.call("GET", "/v1/partners", owner),
        api.call("GET", f"/v1/partners/{partner['partner_id']}", owner),
        api.call("GET", f"/v1/partners/{partner['partner_id']}/history", owner),
        api.call("GET", "/v1/audit-log", owner),
    ]
    assert all(a.status == 200 for a in answers)
    for answer in answers:
        for value in (zoe["email"], zoe["handle"], "Zoë", "I cook."):
            assert value not in json.dumps(answer.body, ensure_ascii=False), (value, answer.body)
    seen = answers[2].body
    assert (seen["partner_id"], seen["stage"], seen["handle"], seen["email"]) == (
        partner["partner_id"], "applied", "erased", None,
    )  # fmt: skip
    assert answers[3].body["items"]  # the history stays, without notes and addresses
    # And the network's copy is gone: another brand finds her neither by id nor by search
    assert api.call("GET", f"/v1/creators/{zoe['creator_id']}", other["api_key"]).status == 404
    found = api.call("GET", f"/v1/creators?q={zoe['handle']}&scope=network", other["api_key"]).body
    assert found["items"] == []


def test_the_audit_log_shows_one_entry_for_the_erasure_without_the_data(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given Zoë, erased by a manager of brand A (and then once more, which finds nothing)
    zoe = network_creator(api, cloud)
    manager = _key(api, zoe["owner_key"], "manager")
    assert api.call("DELETE", f"/v1/creators/{zoe['creator_id']}", manager).status == 200
    assert api.call("DELETE", f"/v1/creators/{zoe['creator_id']}", manager).status == 404  # nothing left
    # When the owner reads the audit log
    log = api.call("GET", "/v1/audit-log?limit=10", zoe["owner_key"])
    # Then it holds one entry: what, to which creator, by which key, when, and which kinds of data
    assert log.status == 200
    [entry] = log.body["items"]
    assert (entry["action"], entry["subject"]) == ("creator.erased", zoe["creator_id"])
    assert entry["actor"].startswith("key_") and entry["at"] and "email" in entry["fields"]
    assert log.body["next_cursor"] is None


def test_another_brands_creator_cannot_be_erased(api: ApiClient, cloud: LocalCloud) -> None:
    # Given Zoë, a creator of brand A (and the network), and brand B
    zoe = network_creator(api, cloud)
    other = new_brand(cloud)
    # When B erases her id, Then it is 404 and A still has her
    assert api.call("DELETE", f"/v1/creators/{zoe['creator_id']}", other["api_key"]).status == 404
    assert api.call("GET", f"/v1/creators/{zoe['creator_id']}", zoe["owner_key"]).status == 200
    assert api.call("GET", "/v1/audit-log", other["api_key"]).body["items"] == []


def test_a_viewer_cannot_erase_and_only_the_owner_reads_the_audit_log(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given Zoë, a creator of brand A, and A's viewer and manager keys
    zoe = network_creator(api, cloud)
    viewer, manager = _key(api, zoe["owner_key"], "viewer"), _key(api, zoe["owner_key"], "manager")
    # When the viewer erases her, Then it is 403 and she is still there
    assert api.call("DELETE", f"/v1/creators/{zoe['creator_id']}", viewer).status == 403
    assert api.call("GET", f"/v1/creators/{zoe['creator_id']}", zoe["owner_key"]).status == 200
    # And a manager or a viewer reading the audit log is refused; the owner is not
    assert api.call("GET", "/v1/audit-log", manager).status == 403
    assert api.call("GET", "/v1/audit-log", viewer).status == 403
    assert api.call("GET", "/v1/audit-log", zoe["owner_key"]).status == 200


def test_the_audit_log_refuses_a_bad_cursor_or_limit(api: ApiClient, brand: dict[str, str]) -> None:
    assert api.call("GET", "/v1/audit-log?cursor=nonsense", brand["api_key"]).status == 422
    assert api.call("GET", "/v1/audit-log?limit=0", brand["api_key"]).status == 422
