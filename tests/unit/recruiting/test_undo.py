"""Undoing a stage move: back to the stage before, with a note, before `active`; conversions count forward
moves only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from starling.recruiting.model import Stage, StageChange
from starling.recruiting.pipeline import pipeline_summary, plan_move, standing_moves, undo_target
from starling.shared.errors import Conflict, Invalid

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def moves(*stages: str | None, undone: frozenset[int] = frozenset()) -> list[StageChange]:
    """A history through `stages` (the first is the entry), one day apart; moves at `undone` are undos."""
    history = []
    for i, (source, target) in enumerate(zip((None, *stages[:-1]), stages, strict=True)):
        before = Stage(source) if source else None
        history.append(
            StageChange(
                "ptn_1", before, Stage(str(target)), "key_1", T0 + timedelta(days=i), undo=i in undone
            )
        )
    return history


def test_a_partner_moves_back_to_the_stage_before_with_a_note_and_the_move_is_marked_undo() -> None:
    # Given a partner moved from contacted to negotiating
    history = moves("prospect", "contacted", "negotiating")
    # When a manager moves them back to contacted, saying why
    change = plan_move(
        "ptn_1", "negotiating", "contacted", "key_1", T0 + timedelta(days=5), "Wrong card", history
    )
    # Then the move is allowed, kept with its note, and marked as an undo
    assert (change.from_stage, change.to_stage, change.note, change.undo) == (
        Stage.NEGOTIATING, Stage.CONTACTED, "Wrong card", True,
    )  # fmt: skip


def test_moves_back_can_follow_each_other_down_to_the_entry() -> None:
    # Given a partner moved back once, from negotiating to contacted
    history = moves("prospect", "contacted", "negotiating", "contacted", undone=frozenset({3}))
    # When the stage before is asked for, twice undone
    # Then it is prospect, and nothing is before the entry
    assert undo_target(Stage.CONTACTED, history) is Stage.PROSPECT
    assert undo_target(Stage.PROSPECT, moves("prospect")) is None


def test_a_move_back_needs_a_note() -> None:
    history = moves("prospect", "contacted")
    with pytest.raises(Invalid) as refused:
        plan_move("ptn_1", "contacted", "prospect", "key_1", T0 + timedelta(days=5), "  ", history)
    assert refused.value.details == {"note": "required to move back"}


@pytest.mark.parametrize(
    ("stages", "current", "target"),
    [
        (("prospect", "contacted", "negotiating"), "negotiating", "prospect"),  # two stages back
        (("applied", "approved", "onboarding", "active"), "active", "onboarding"),  # active is not undone
        (("applied", "approved", "onboarding", "active", "paused"), "paused", "active"),  # a normal move
        (("prospect", "contacted", "declined"), "declined", "contacted"),  # declined is not before active
    ],
)
def test_only_the_stage_before_and_only_before_active(
    stages: tuple[str, ...], current: str, target: str
) -> None:
    # Given a partner's history, When moved to a stage that is not the one before, or from active or later
    history = moves(*stages)
    if target == "active":  # paused -> active is an ordinary move, not an undo
        assert not plan_move("ptn_1", current, target, "key_1", T0 + timedelta(days=9), "", history).undo
        return
    # Then it is refused as any other move is, and the answer says where the partner can go back to
    with pytest.raises(Conflict) as refused:
        plan_move("ptn_1", current, target, "key_1", T0 + timedelta(days=9), "Why", history)
    assert refused.value.details["to"] == target


def test_the_refusal_names_the_stage_a_partner_can_go_back_to() -> None:
    history = moves("prospect", "contacted", "negotiating")
    with pytest.raises(Conflict) as refused:
        plan_move("ptn_1", "negotiating", "prospect", "key_1", T0 + timedelta(days=9), "Why", history)
    assert refused.value.details["back"] == "contacted"
    assert "back to 'contacted'" in refused.value.message


def test_an_undo_cancels_the_move_it_reverses_and_conversions_count_forward_moves_only() -> None:
    # Given Ana moved to negotiating by mistake and back to contacted, and Ben who really negotiated
    ana = moves("prospect", "contacted", "negotiating", "contacted", undone=frozenset({3}))
    ben = moves("prospect", "contacted", "negotiating")
    # When the pipeline is summed up
    summary = pipeline_summary(
        {"ana": Stage.CONTACTED, "ben": Stage.NEGOTIATING}, {"ana": ana, "ben": ben}, T0 + timedelta(days=9)
    )
    # Then only Ben reached negotiating: 1 of the 2 who reached contacted
    contacted_to_negotiating = next(c for c in summary.conversions if c.from_stage is Stage.CONTACTED)
    assert (contacted_to_negotiating.reached_from, contacted_to_negotiating.reached_to) == (2, 1)
    assert [c.to_stage for c in standing_moves(ana)] == [Stage.PROSPECT, Stage.CONTACTED]
