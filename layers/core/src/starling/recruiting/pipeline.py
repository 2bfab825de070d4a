"""The recruiting pipeline: stages, the moves allowed between them, each move's record, and analytics.

The main path (design.md) is

    prospect → contacted → negotiating → applied → approved → onboarding → active → paused

Besides the next step on that path, these moves are allowed, because recruiters make them every day:

- prospect → applied, contacted → applied: the creator applies on the brand's form without (further) talks;
- paused → active: a paused partner comes back;
- onboarding → paused: onboarding expired (14 days without the partner's steps) or its contract was
  declined or expired; the brand decides what next;
- any stage before `active` (prospect … onboarding) → declined: either side says no;
- active, paused → offboarded: the partnership ends;
- declined → prospect, offboarded → prospect: the brand re-opens the conversation later.

A move can also be undone: before `active`, a partner may go back to the stage they came from by the last
forward move still standing, with a note saying why (`undo_target`, `plan_move`); moves back can follow
one another, each undoing the move before. History marks such a move `undo`, and conversion figures count
forward moves only: an undone move and its undo are left out (`standing_moves`).

Everything else, including a move to the stage a partner is already in, is refused with `Conflict` (409); a
stage name that does not exist is `Invalid` (422). A partner enters the pipeline at `prospect` (added by
the brand) or at `applied` (through the application form).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from statistics import median
from typing import Any

from starling.recruiting.model import Stage, StageChange, clean_note
from starling.shared.errors import Conflict, Invalid

MAIN_PATH: tuple[Stage, ...] = (
    Stage.PROSPECT,
    Stage.CONTACTED,
    Stage.NEGOTIATING,
    Stage.APPLIED,
    Stage.APPROVED,
    Stage.ONBOARDING,
    Stage.ACTIVE,
    Stage.PAUSED,
)
PRE_ACTIVE: frozenset[Stage] = frozenset(MAIN_PATH[: MAIN_PATH.index(Stage.ACTIVE)])
TERMINAL: frozenset[Stage] = frozenset({Stage.DECLINED, Stage.OFFBOARDED})
INITIAL_STAGES: frozenset[Stage] = frozenset({Stage.PROSPECT, Stage.APPLIED})


def _allowed_moves() -> dict[Stage, frozenset[Stage]]:
    moves: dict[Stage, set[Stage]] = {stage: set() for stage in Stage}
    for current, following in pairwise(MAIN_PATH):
        moves[current].add(following)
    moves[Stage.PROSPECT].add(Stage.APPLIED)
    moves[Stage.CONTACTED].add(Stage.APPLIED)
    moves[Stage.PAUSED].add(Stage.ACTIVE)
    moves[Stage.ONBOARDING].add(Stage.PAUSED)
    for stage in PRE_ACTIVE:
        moves[stage].add(Stage.DECLINED)
    moves[Stage.ACTIVE].add(Stage.OFFBOARDED)
    moves[Stage.PAUSED].add(Stage.OFFBOARDED)
    moves[Stage.DECLINED].add(Stage.PROSPECT)
    moves[Stage.OFFBOARDED].add(Stage.PROSPECT)
    return {stage: frozenset(targets) for stage, targets in moves.items()}


ALLOWED_MOVES: Mapping[Stage, frozenset[Stage]] = _allowed_moves()


def parse_stage(value: Stage | str) -> Stage:
    """The stage named `value`, or Invalid (422) when there is no such stage."""
    if isinstance(value, Stage):
        return value
    try:
        return Stage(str(value).strip().lower())
    except ValueError:
        raise Invalid(
            f"'{value}' is not a stage; use one of " + ", ".join(s.value for s in Stage) + ".",
            {"stage": "unknown stage"},
        ) from None


def can_move(from_stage: Stage, to_stage: Stage) -> bool:
    return to_stage in ALLOWED_MOVES[from_stage]


def check_move(from_stage: Stage | str, to_stage: Stage | str) -> Stage:
    """The target stage of an allowed move; Invalid for an unknown stage, Conflict for a refused move."""
    source, target = parse_stage(from_stage), parse_stage(to_stage)
    if not can_move(source, target):
        allowed = sorted(s.value for s in ALLOWED_MOVES[source])
        raise Conflict(
            f"A partner in '{source}' cannot move to '{target}'; from '{source}' they can move to "
            + ", ".join(allowed)
            + ".",
            {"from": source.value, "to": target.value, "allowed": allowed},
        )
    return target


def standing_moves(history: Iterable[StageChange]) -> list[StageChange]:
    """The forward moves that stand, oldest first: each undo cancels the forward move it reversed."""
    standing: list[StageChange] = []
    for change in sorted(history, key=lambda c: c.at):
        if change.undo:
            if standing:
                standing.pop()
        else:
            standing.append(change)
    return standing


def undo_target(current: Stage, history: Iterable[StageChange]) -> Stage | None:
    """The stage a partner in `current` may move back to: where the last standing forward move came from,
    when both stages are before `active`; None when there is nothing to undo."""
    standing = standing_moves(history)
    if not standing:
        return None
    last = standing[-1]
    if last.from_stage is None or last.to_stage is not current:
        return None
    if current not in PRE_ACTIVE or last.from_stage not in PRE_ACTIVE:
        return None
    return last.from_stage


def plan_move(
    partner_id: str,
    from_stage: Stage | str,
    to_stage: Stage | str,
    actor: str,
    at: datetime,
    note: str | None,
    history: Iterable[StageChange],
) -> StageChange:
    """The history entry of a move: an allowed move (`move_partner`), or a move back to the stage before
    (`undo_target`), which needs a note and is marked `undo`. Conflict names both ways a partner can go."""
    source, target = parse_stage(from_stage), parse_stage(to_stage)
    if can_move(source, target):
        return move_partner(partner_id, source, target, actor, at, note)
    back = undo_target(source, history)
    if back is None or back is not target:
        allowed = sorted(s.value for s in ALLOWED_MOVES[source])
        undo = f"; or back to '{back}', with a note (an undo)" if back else ""
        raise Conflict(
            f"A partner in '{source}' cannot move to '{target}'; from '{source}' they can move to "
            + ", ".join(allowed)
            + undo
            + ".",
            {
                "from": source.value,
                "to": target.value,
                "allowed": allowed,
                "back": back.value if back else None,
            },
        )
    text = clean_note(note)
    if not text:
        raise Invalid(
            f"Moving a partner back to '{target}' undoes a move: say why in `note`.",
            {"note": "required to move back"},
        )
    return StageChange(partner_id, source, target, _check_actor(actor), at, text, undo=True)


def check_initial_stage(stage: Stage | str) -> Stage:
    """The stage a new partner starts in: prospect or applied."""
    target = parse_stage(stage)
    if target not in INITIAL_STAGES:
        raise Conflict(
            f"A new partner starts at prospect or applied, not '{target}'.",
            {"stage": target.value, "allowed": sorted(s.value for s in INITIAL_STAGES)},
        )
    return target


def _check_actor(actor: str) -> str:
    actor = actor.strip()
    if not actor or len(actor) > 200:
        raise Invalid("A stage change needs an actor.", {"actor": "1 to 200 characters"})
    return actor


def move_partner(
    partner_id: str,
    from_stage: Stage | str,
    to_stage: Stage | str,
    actor: str,
    at: datetime,
    note: str | None = None,
) -> StageChange:
    """The history entry for an allowed move (see `check_move` for the errors)."""
    target = check_move(from_stage, to_stage)
    return StageChange(partner_id, parse_stage(from_stage), target, _check_actor(actor), at, clean_note(note))


def enter_pipeline(
    partner_id: str, stage: Stage | str, actor: str, at: datetime, note: str | None = None
) -> StageChange:
    """The first history entry of a new partner (at prospect or applied)."""
    return StageChange(
        partner_id, None, check_initial_stage(stage), _check_actor(actor), at, clean_note(note)
    )


def is_overdue(follow_up_on: date | None, today: date, stage: Stage | None = None) -> bool:
    """True when a follow-up date is set and has passed (before today); never for declined or offboarded."""
    if follow_up_on is None or (stage is not None and stage in TERMINAL):
        return False
    return follow_up_on < today


# --- analytics ---------------------------------------------------------------------------------------

_RATE_PLACES = Decimal("0.0001")
_DAY_PLACES = Decimal("0.1")
_SECONDS_PER_DAY = Decimal(86_400)


@dataclass(frozen=True)
class StageConversion:
    """Of the partners who reached `from_stage`, how many also reached `to_stage`."""

    from_stage: Stage
    to_stage: Stage
    reached_from: int
    reached_to: int

    @property
    def rate(self) -> Decimal | None:
        """The share of partners who reached `from_stage` and also reached `to_stage`; None when none did."""
        if self.reached_from == 0:
            return None
        return (Decimal(self.reached_to) / Decimal(self.reached_from)).quantize(_RATE_PLACES, ROUND_HALF_UP)

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.from_stage.value,
            "to": self.to_stage.value,
            "reached_from": self.reached_from,
            "reached_to": self.reached_to,
            "rate": None if self.rate is None else str(self.rate),
        }


@dataclass(frozen=True)
class PipelineSummary:
    counts: dict[Stage, int]
    conversions: tuple[StageConversion, ...]
    median_days: dict[Stage, Decimal | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "counts": {s.value: n for s, n in self.counts.items()},
            "conversions": [c.as_dict() for c in self.conversions],
            "median_days_in_stage": {
                s.value: None if d is None else str(d) for s, d in self.median_days.items()
            },
        }


def _stints(history: Sequence[StageChange], now: datetime) -> Iterable[tuple[Stage, Decimal]]:
    """(stage, days) for each stay in a stage; the last, unfinished stay runs up to `now` unless terminal."""
    ordered = sorted(history, key=lambda change: change.at)
    for change, following in zip(ordered, [*ordered[1:], None], strict=True):
        if following is None:
            if change.to_stage in TERMINAL:
                continue
            end = now
        else:
            end = following.at
        seconds = Decimal(str(max((end - change.at).total_seconds(), 0.0)))
        yield change.to_stage, seconds / _SECONDS_PER_DAY


def pipeline_summary(
    current_stages: Mapping[str, Stage],
    histories: Mapping[str, Sequence[StageChange]],
    now: datetime,
) -> PipelineSummary:
    """Counts per stage, conversion between consecutive main-path stages, and median days in each stage.

    `current_stages` maps partner id to its stage now; `histories` maps partner id to its stage changes.
    Conversion from A to B is: of the partners who ever reached A, the share who ever reached B (a partner
    reaches a stage by a forward move into it that was not undone, or by being in it now). Days in a stage
    are taken per stay; a stay that has not ended counts up to `now`, except in declined and offboarded,
    which never end. Medians are in days with one decimal place, None for a stage nobody has stayed in.
    """
    counts = {stage: 0 for stage in Stage}
    for stage in current_stages.values():
        counts[stage] += 1

    reached: dict[str, set[Stage]] = {pid: {stage} for pid, stage in current_stages.items()}
    durations: dict[Stage, list[Decimal]] = {stage: [] for stage in Stage}
    for pid, history in histories.items():
        stages = reached.setdefault(pid, set())
        for change in standing_moves(history):
            stages.add(change.to_stage)
            if change.from_stage is not None:
                stages.add(change.from_stage)
        for stage, days in _stints(history, now):
            durations[stage].append(days)

    conversions = tuple(
        StageConversion(
            from_stage=a,
            to_stage=b,
            reached_from=sum(1 for stages in reached.values() if a in stages),
            reached_to=sum(1 for stages in reached.values() if a in stages and b in stages),
        )
        for a, b in pairwise(MAIN_PATH)
    )
    median_days = {
        stage: (Decimal(median(days)).quantize(_DAY_PLACES, ROUND_HALF_UP) if days else None)
        for stage, days in durations.items()
    }
    return PipelineSummary(counts=counts, conversions=conversions, median_days=median_days)
