"""Undoing a stage move through the brand API: back to the stage before with a note, shown in history,
left out of the pipeline's conversions."""

from __future__ import annotations

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.support import ApiClient


def _partner(api: ApiClient, key: str, handle: str) -> str:
    answer = api.call("POST", "/v1/partners", key, {"creator": {"handle": handle, "platform": "instagram"}})
    assert answer.status == 201, answer.text
    return str(answer.body["partner_id"])


def _move(api: ApiClient, key: str, partner_id: str, stage: str, **extra: object):  # type: ignore[no-untyped-def]
    return api.call("POST", f"/v1/partners/{partner_id}/stage", key, {"stage": stage, **extra})


def test_a_manager_moves_a_partner_back_with_a_note_and_history_shows_the_undo(
    api: ApiClient, brand: dict
) -> None:
    # Given a manager and a partner moved from contacted to negotiating by mistake
    owner = brand["api_key"]
    manager = api.call("POST", "/v1/api-keys", owner, {"name": "m", "role": "manager"}).body["key"]
    partner_id = _partner(api, owner, "ana")
    _move(api, manager, partner_id, "contacted")
    _move(api, manager, partner_id, "negotiating")
    # When the manager moves them back to contacted, saying why
    back = _move(api, manager, partner_id, "contacted", note="Clicked the wrong card")
    # Then the partner is in contacted again, and history shows the move back, marked as an undo
    assert back.status == 200, back.text
    assert back.body["stage"] == "contacted"
    history = api.call("GET", f"/v1/partners/{partner_id}/history", manager).body["items"]
    assert [(h["from_stage"], h["to_stage"], h["undo"]) for h in history] == [
        (None, "prospect", False),
        ("prospect", "contacted", False),
        ("contacted", "negotiating", False),
        ("negotiating", "contacted", True),
    ]
    assert history[-1]["note"] == "Clicked the wrong card"


def test_a_move_back_without_a_note_is_422_and_two_stages_back_or_after_active_is_409(
    api: ApiClient, brand: dict
) -> None:
    key = brand["api_key"]
    partner_id = _partner(api, key, "ben")
    for stage in ("contacted", "negotiating"):
        _move(api, key, partner_id, stage)
    # A move back needs a note
    no_note = _move(api, key, partner_id, "contacted")
    assert no_note.status == 422 and no_note.body["error"]["details"] == {"note": "required to move back"}
    # Only the stage before: two back is refused, and the refusal names the stage before
    two_back = _move(api, key, partner_id, "prospect", note="Start over")
    assert two_back.status == 409 and two_back.body["error"]["details"]["back"] == "contacted"
    # Nothing from active back
    for stage in ("applied", "approved", "onboarding", "active"):
        assert _move(api, key, partner_id, stage).status == 200
    assert _move(api, key, partner_id, "onboarding", note="Not yet").status == 409
    assert api.call("GET", f"/v1/partners/{partner_id}", key).body["stage"] == "active"


def test_the_pipeline_counts_forward_moves_only(api: ApiClient, brand: dict) -> None:
    # Given Ana moved to contacted by mistake and back, and Ben really contacted
    key = brand["api_key"]
    ana, ben = _partner(api, key, "ana"), _partner(api, key, "ben")
    _move(api, key, ana, "contacted")
    _move(api, key, ana, "prospect", note="Not yet")
    _move(api, key, ben, "contacted")
    # When the brand reads its pipeline
    summary = api.call("GET", "/v1/pipeline", key).body
    # Then one of the two prospects reached contacted: the undone move does not count
    first = summary["conversions"][0]
    assert (first["from"], first["to"], first["reached_from"], first["reached_to"]) == (
        "prospect", "contacted", 2, 1,
    )  # fmt: skip
    assert summary["counts"]["prospect"] == 1 and summary["counts"]["contacted"] == 1


def test_a_viewer_cannot_move_back_and_another_brand_gets_404(
    api: ApiClient, brand: dict, cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    partner_id = _partner(api, key, "cleo")
    _move(api, key, partner_id, "contacted")
    viewer = api.call("POST", "/v1/api-keys", key, {"name": "v", "role": "viewer"}).body["key"]
    assert _move(api, viewer, partner_id, "prospect", note="x").status == 403
    assert _move(api, new_brand(cloud)["api_key"], partner_id, "prospect", note="x").status == 404
    assert api.call("GET", f"/v1/partners/{partner_id}", key).body["stage"] == "contacted"
