"""The recruiting pipeline: allowed moves, history entries, follow-ups and analytics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from starling.recruiting.model import MAX_NOTE_LENGTH, Stage, StageChange
from starling.recruiting.pipeline import (
    ALLOWED_MOVES,
    check_move,
    enter_pipeline,
    is_overdue,
    move_partner,
    parse_stage,
    pipeline_summary,
)
from starling.shared.errors import Conflict, Invalid

T0 = datetime(2025, 1, 1, tzinfo=UTC)

EXPECTED_MOVES = {
    ("prospect", "contacted"),
    ("contacted", "negotiating"),
    ("negotiating", "applied"),
    ("applied", "approved"),
    ("approved", "onboarding"),
    ("onboarding", "active"),
    ("active", "paused"),
    ("prospect", "applied"),
    ("contacted", "applied"),
    ("paused", "active"),
    ("onboarding", "paused"),  # onboarding expired, or its contract was declined or expired
    ("prospect", "declined"),
    ("contacted", "declined"),
    ("negotiating", "declined"),
    ("applied", "declined"),
    ("approved", "declined"),
    ("onboarding", "declined"),
    ("active", "offboarded"),
    ("paused", "offboarded"),
    ("declined", "prospect"),
    ("offboarded", "prospect"),
}


@pytest.mark.parametrize(("source", "target"), sorted(EXPECTED_MOVES))
def test_every_allowed_move_succeeds(source: str, target: str) -> None:
    # Given a partner in `source`, When moved to `target`, Then the move is allowed
    assert check_move(source, target) is Stage(target)


def test_the_allowed_moves_are_exactly_the_documented_ones() -> None:
    table = {(a.value, b.value) for a, targets in ALLOWED_MOVES.items() for b in targets}
    assert table == EXPECTED_MOVES


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("prospect", "active"),
        ("applied", "contacted"),
        ("active", "declined"),
        ("declined", "active"),
        ("offboarded", "active"),
        ("onboarding", "offboarded"),
        ("active", "active"),
    ],
)
def test_disallowed_move_is_a_conflict(source: str, target: str) -> None:
    # Given a move that skips or reverses the path, Then it is refused with the moves that are allowed
    with pytest.raises(Conflict) as caught:
        check_move(source, target)
    assert caught.value.details["from"] == source
    assert caught.value.details["allowed"] == sorted(s.value for s in ALLOWED_MOVES[Stage(source)])


def test_unknown_stage_is_invalid_not_conflict() -> None:
    # Given a stage name that does not exist, Then it is Invalid (422), not a refused move (409)
    with pytest.raises(Invalid) as caught:
        check_move("prospect", "hired")
    assert caught.value.details == {"stage": "unknown stage"}
    assert not isinstance(caught.value, Conflict)


def test_stage_names_are_read_case_insensitively() -> None:
    assert parse_stage(" Contacted ") is Stage.CONTACTED


def test_move_partner_records_actor_time_and_cleaned_note() -> None:
    # Given a manager who moves a partner with a note
    change = move_partner("par_1", "prospect", "contacted", "key_abc", T0, note="  sent DM\x00 on IG ")
    # Then the history entry keeps who, when and why
    assert change == StageChange("par_1", Stage.PROSPECT, Stage.CONTACTED, "key_abc", T0, "sent DM on IG")
    assert change.as_dict()["to_stage"] == "contacted"
    assert change.as_dict()["at"] == "2025-01-01T00:00:00+00:00"


def test_move_partner_refuses_long_notes_and_missing_actor() -> None:
    with pytest.raises(Invalid):
        move_partner("par_1", "prospect", "contacted", "key", T0, note="x" * (MAX_NOTE_LENGTH + 1))
    with pytest.raises(Invalid):
        move_partner("par_1", "prospect", "contacted", "  ", T0)
    with pytest.raises(Conflict):
        move_partner("par_1", "prospect", "active", "key", T0)


def test_partners_enter_at_prospect_or_applied_only() -> None:
    assert enter_pipeline("par_1", "applied", "application-form", T0).from_stage is None
    assert enter_pipeline("par_1", "prospect", "key", T0).to_stage is Stage.PROSPECT
    with pytest.raises(Conflict):
        enter_pipeline("par_1", "active", "key", T0)


def test_follow_up_is_overdue_only_after_its_date() -> None:
    today = date(2025, 5, 10)
    assert is_overdue(date(2025, 5, 9), today)
    assert not is_overdue(date(2025, 5, 10), today)
    assert not is_overdue(date(2025, 5, 11), today)
    assert not is_overdue(None, today)
    assert not is_overdue(date(2025, 5, 1), today, stage=Stage.DECLINED)
    assert is_overdue(date(2025, 5, 1), today, stage=Stage.NEGOTIATING)


# --- analytics ---------------------------------------------------------------------------------------


def history(partner_id: str, *steps: tuple[str, int]) -> list[StageChange]:
    """Stage changes at day offsets from T0: ("prospect", 0), ("contacted", 2) ..."""
    changes: list[StageChange] = []
    previous: Stage | None = None
    for stage, day in steps:
        changes.append(StageChange(partner_id, previous, Stage(stage), "key", T0 + timedelta(days=day)))
        previous = Stage(stage)
    return changes


def test_pipeline_counts_each_stage_including_empty_ones() -> None:
    summary = pipeline_summary({"a": Stage.PROSPECT, "b": Stage.PROSPECT, "c": Stage.ACTIVE}, {}, T0)
    assert summary.counts[Stage.PROSPECT] == 2
    assert summary.counts[Stage.ACTIVE] == 1
    assert summary.counts[Stage.PAUSED] == 0
    assert len(summary.counts) == len(Stage)


def test_pipeline_conversion_is_share_of_those_who_reached_the_stage() -> None:
    # Given four prospects: three contacted, one of them negotiating
    histories = {
        "a": history("a", ("prospect", 0), ("contacted", 1), ("negotiating", 3)),
        "b": history("b", ("prospect", 0), ("contacted", 2)),
        "c": history("c", ("prospect", 0), ("contacted", 2), ("declined", 5)),
        "d": history("d", ("prospect", 0)),
    }
    current = {"a": Stage.NEGOTIATING, "b": Stage.CONTACTED, "c": Stage.DECLINED, "d": Stage.PROSPECT}
    # When summarised
    summary = pipeline_summary(current, histories, T0 + timedelta(days=10))
    conversions = {(c.from_stage, c.to_stage): c for c in summary.conversions}
    # Then 3 of 4 prospects were contacted and 1 of 3 contacted negotiated
    assert conversions[(Stage.PROSPECT, Stage.CONTACTED)].rate == Decimal("0.7500")
    assert conversions[(Stage.CONTACTED, Stage.NEGOTIATING)].rate == Decimal("0.3333")
    assert conversions[(Stage.CONTACTED, Stage.NEGOTIATING)].reached_from == 3
    # And nobody reached applied, so the rate after it is unknown rather than zero
    assert conversions[(Stage.APPLIED, Stage.APPROVED)].rate is None
    assert summary.as_dict()["conversions"][0] == {
        "from": "prospect",
        "to": "contacted",
        "reached_from": 4,
        "reached_to": 3,
        "rate": "0.7500",
    }


def test_direct_applicants_count_as_reaching_applied_but_not_contacted() -> None:
    histories = {"a": history("a", ("applied", 0), ("approved", 1))}
    summary = pipeline_summary({"a": Stage.APPROVED}, histories, T0 + timedelta(days=2))
    conversions = {(c.from_stage, c.to_stage): c for c in summary.conversions}
    assert conversions[(Stage.APPLIED, Stage.APPROVED)].rate == Decimal(1)
    assert conversions[(Stage.PROSPECT, Stage.CONTACTED)].reached_from == 0


def test_median_days_includes_time_in_the_current_stage_until_now() -> None:
    # Given three partners who stayed 1, 2 and (still, up to now) 7 days in contacted
    histories = {
        "a": history("a", ("prospect", 0), ("contacted", 1), ("negotiating", 2)),
        "b": history("b", ("prospect", 0), ("contacted", 1), ("negotiating", 3)),
        "c": history("c", ("prospect", 0), ("contacted", 3)),
    }
    current = {"a": Stage.NEGOTIATING, "b": Stage.NEGOTIATING, "c": Stage.CONTACTED}
    now = T0 + timedelta(days=10)
    # When summarised
    summary = pipeline_summary(current, histories, now)
    # Then the median stay in contacted is 2 days; prospect stays were 1, 1, 3; negotiating 8 and 7 so far
    assert summary.median_days[Stage.CONTACTED] == Decimal("2.0")
    assert summary.median_days[Stage.PROSPECT] == Decimal("1.0")
    assert summary.median_days[Stage.NEGOTIATING] == Decimal("7.5")
    assert summary.median_days[Stage.ACTIVE] is None
    assert summary.as_dict()["median_days_in_stage"]["contacted"] == "2.0"


def test_median_days_ignores_open_stays_in_declined() -> None:
    histories = {"a": history("a", ("prospect", 0), ("declined", 1))}
    summary = pipeline_summary({"a": Stage.DECLINED}, histories, T0 + timedelta(days=100))
    assert summary.median_days[Stage.DECLINED] is None
    assert summary.median_days[Stage.PROSPECT] == Decimal("1.0")


def test_median_days_handles_unsorted_history_and_partial_days() -> None:
    changes = history("a", ("prospect", 0), ("contacted", 1))
    changes.reverse()
    summary = pipeline_summary({"a": Stage.CONTACTED}, {"a": changes}, T0 + timedelta(days=1, hours=12))
    assert summary.median_days[Stage.PROSPECT] == Decimal("1.0")
    assert summary.median_days[Stage.CONTACTED] == Decimal("0.5")
