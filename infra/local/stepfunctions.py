"""Executing state machines for real with moto's ASL interpreter.

Wait states, Retry back-offs and a task's wait for its token (TimeoutSeconds, HeartbeatSeconds)
really sleep; `time_scale` shortens them for tests (0.01 turns a one-hour wait into 36 seconds, and 0
into no wait). `set_time_scale` changes it while the cloud runs, for a test that needs a 14-day timeout
to pass in a second (`scaled_time(1e-6)`); a wait already begun keeps the scale it began with.
Executions started without a name get one, because the interpreter names unnamed executions `None`
and a second one would collide. And a state machine can run more than one execution
(see `_deepcopy_without_executions`).
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from moto.core.config import default_user_config
from moto.stepfunctions.models import StateMachine
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, HeartbeatEndpoint
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

_state = {"time_scale": 1.0}


class _ScaledTime:
    """Stands in for the `time` module inside the retrier, so back-offs follow the time scale."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        time.sleep(seconds * _state["time_scale"])


def _scaled_wait(self: WaitFunction, env: Environment, wait_seconds: int) -> None:
    if wait_seconds > 0:
        env.program_state_event.wait(wait_seconds * _state["time_scale"])


_original_callback_wait = CallbackEndpoint.wait


def _scaled_callback_wait(self: CallbackEndpoint, timeout: float | None = None) -> Any:
    """A `.waitForTaskToken` task's TimeoutSeconds, on the time scale."""
    return _original_callback_wait(self, None if timeout is None else timeout * _state["time_scale"])


def _scaled_heartbeat_wait(self: HeartbeatEndpoint) -> bool:
    """HeartbeatSeconds, on the time scale (moto's own method with the timeout scaled)."""
    with self._mutex:
        if self._next_heartbeat_event.is_set():
            self._next_heartbeat_event.clear()
            return True
    return self._next_heartbeat_event.wait(timeout=self._heartbeat_seconds * _state["time_scale"])


def set_time_scale(time_scale: float) -> None:
    _state["time_scale"] = time_scale


def time_scale() -> float:
    return _state["time_scale"]


@contextmanager
def scaled_time(time_scale: float) -> Iterator[None]:
    """Run the block's waits (those that begin in it) on another time scale."""
    before = _state["time_scale"]
    _state["time_scale"] = time_scale
    try:
        yield
    finally:
        _state["time_scale"] = before


_original_start_execution = StepFunctionsParserBackend.start_execution


def _start_execution_with_name(
    self: StepFunctionsParserBackend,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: Any = None,
    trace_header: Any = None,
) -> Any:
    return _original_start_execution(
        self, state_machine_arn, name or f"exec-{uuid.uuid4().hex[:20]}", execution_input, trace_header
    )


def _deepcopy_without_executions(self: StateMachine, memo: dict[int, Any]) -> StateMachine:
    """Each execution runs on a copy of its state machine; moto copies the earlier executions along, and
    a finished execution holds thread locks that cannot be copied, so a second execution would fail."""
    clone = cast(StateMachine, object.__new__(type(self)))
    memo[id(self)] = clone
    for name, value in self.__dict__.items():
        setattr(clone, name, [] if name == "executions" else copy.deepcopy(value, memo))
    return clone


def install(time_scale: float = 1.0) -> None:
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    _state["time_scale"] = time_scale
    WaitFunction._wait_interval = _scaled_wait  # type: ignore[method-assign]
    retrier_decl.time = _ScaledTime()  # type: ignore[assignment]
    CallbackEndpoint.wait = _scaled_callback_wait  # type: ignore[method-assign]
    HeartbeatEndpoint.clear_and_wait = _scaled_heartbeat_wait  # type: ignore[method-assign]
    StepFunctionsParserBackend.start_execution = _start_execution_with_name  # type: ignore[method-assign]
    StateMachine.__deepcopy__ = _deepcopy_without_executions  # type: ignore[attr-defined]
