"""Running Lambda handlers in-process whenever moto invokes a function.

`LambdaFunction._invoke_lambda` is the one method every invocation path in moto goes through (Invoke,
Step Functions tasks, SQS mappings, SNS, EventBridge). It is replaced so that the function's handler,
named in the template (`functions.<name>.handler.lambda_handler`), is imported from the source tree and
called with the event, inside the function's own environment.

On Lambda one execution environment serves one invocation at a time, so a handler's module state (the API's
resolver and the event it is resolving) is never shared. Here every invocation runs on the thread that asked
for it, and all of a function's invocations share one imported module: the function's one environment. So an
invocation holds its function's environment lock while the handler runs, and parallel invocations of one
function wait their turn (different functions still run side by side). The lock covers the handler only;
log shipping runs after it, because PutLogEvents may deliver to a subscribed function synchronously.

A function that synchronously waits on an invocation of itself (through moto, on another thread) would
wait for ever for its own environment; on AWS a second environment would serve it. Here that invocation
gives up after the function's timeout with an error that says so, and one on the very thread that holds
the environment fails at once.
"""

from __future__ import annotations

import importlib
import json
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from moto.awslambda.models import LambdaFunction

from infra.local import environ, logs

_lock = threading.Lock()
_installed: dict[str, str] = {}
_clients: dict[str, Any] = {}
_environments: dict[str, threading.Lock] = {}  # function ARN -> its one execution environment
_held = threading.local()  # the ARNs of the environments this thread is running a handler in


class EnvironmentBusy(Exception):
    """The function's one environment did not come free: its invocation would wait on itself."""


@dataclass
class LocalLambdaContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _function_environment(function: LambdaFunction, endpoint_url: str) -> dict[str, Any]:
    return {
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": function.memory_size,
        "AWS_LAMBDA_FUNCTION_VERSION": function.version,
        "AWS_REGION": function.region,
        "AWS_DEFAULT_REGION": function.region,
        "AWS_ENDPOINT_URL": endpoint_url,
        "_HANDLER": function.handler,
        **function.environment_vars,
    }


@contextmanager
def _environment(function: LambdaFunction) -> Iterator[None]:
    """Run the block in the function's one execution environment, once no other invocation is in it."""
    arn = function.function_arn
    held: set[str] = getattr(_held, "arns", set())
    _held.arns = held
    if arn in held:
        raise EnvironmentBusy(
            f"{function.function_name} was invoked from its own running invocation, on the same thread; "
            "the local cloud runs one invocation per function at a time, so it cannot serve this one"
        )
    with _lock:
        lock = _environments.setdefault(arn, threading.Lock())
    if not lock.acquire(timeout=float(function.timeout)):
        raise EnvironmentBusy(
            f"{function.function_name} was busy for its whole timeout ({function.timeout} s): an invocation "
            "waiting on its own function (which needs a second environment on AWS) is the likely cause"
        )
    held.add(arn)
    try:
        yield
    finally:
        held.discard(arn)
        lock.release()


def _invoke_in_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    payload = json.loads(event) if isinstance(event, (str, bytes)) else (event or {})
    module_name, _, attribute = str(self.handler).rpartition(".")
    failure: dict[str, Any] | None = None
    result: Any = None
    with (
        environ.install().invocation(_function_environment(self, _installed["endpoint_url"])),
        logs.capture() as output,
    ):
        try:
            with _environment(self):
                context = LocalLambdaContext(  # its deadline starts once the environment is free
                    function_name=self.function_name,
                    memory_limit_in_mb=int(self.memory_size),
                    timeout_seconds=int(self.timeout),
                    invoked_function_arn=self.function_arn,
                    aws_request_id=str(uuid.uuid4()),
                    log_group_name=f"/aws/lambda/{self.function_name}",
                )
                handler = getattr(importlib.import_module(module_name), attribute)
                result = handler(payload, context)
        except Exception as exc:
            failure = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "stackTrace": traceback.format_exception(exc),
            }
            output.append("".join(failure["stackTrace"]))
    logs.ship(_logs_client(), self.function_name, output)
    if failure is not None:
        return json.dumps(failure), True, "".join(failure["stackTrace"])
    return json.dumps(result, default=str), False, ""


def _logs_client() -> Any:
    with _lock:  # creating boto3 clients from one session on several threads at once is not safe
        if "logs" in _clients:
            return _clients["logs"]
        _clients["logs"] = boto3.client(
            "logs",
            endpoint_url=_installed["endpoint_url"],
            region_name=_installed["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
            config=Config(retries={"max_attempts": 1}),
        )
    return _clients["logs"]


def install(endpoint_url: str, region: str) -> None:
    """Route every moto invocation to the in-process runner; idempotent."""
    with _lock:
        _installed["endpoint_url"] = endpoint_url
        _installed["region"] = region
        _clients.clear()
        LambdaFunction._invoke_lambda = _invoke_in_process  # type: ignore[method-assign]
