"""What the redirect and click benchmarks share: a fake AWS environment for moto in-process, the core table
with the deployed key schema, a Lambda context, and a way to silence standard output."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from typing import Any

REGION = "us-east-1"
TABLE_NAME = "starling-bench-core"
CLICK_SECRET_ID = "starling-bench-click-secret"
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "TABLE_NAME": TABLE_NAME,
    "CLICK_SECRET_ID": CLICK_SECRET_ID,
    "POWERTOOLS_SERVICE_NAME": "starling-bench-clicks",
    "POWERTOOLS_METRICS_NAMESPACE": "Starling",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}


def use_fake_aws_env() -> None:
    """Before the handlers are imported (they read their environment at import): fake credentials, the
    table and secret names, and nothing that would send moto's in-process calls elsewhere."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS_ENV)


def create_core_table(client: Any) -> None:
    """The core table as infra/constructs/data.py declares it: pk/sk, the gsi1 index, TTL on expires_at."""
    client.create_table(
        TableName=TABLE_NAME,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsi1pk", "gsi1sk")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    client.update_time_to_live(
        TableName=TABLE_NAME, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )


@dataclass
class FakeLambdaContext:
    """The attributes Powertools reads from the Lambda context."""

    function_name: str = "starling-clicks"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:starling-clicks"
    aws_request_id: str = "6f1b7c1e-0000-4000-8000-000000000000"
    log_group_name: str = "/aws/lambda/starling-clicks"
    log_stream_name: str = "2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 120_000


@contextmanager
def silenced() -> Iterator[None]:
    """Standard output to /dev/null, at the file descriptor too (Powertools' logger holds the original
    stream): the writes still happen and still cost what they cost, they are just not shown."""
    sys.stdout.flush()
    saved = os.dup(1)
    null_fd = os.open(os.devnull, os.O_WRONLY)
    try:
        with open(os.devnull, "w") as sink, redirect_stdout(sink):
            os.dup2(null_fd, 1)
            try:
                yield
            finally:
                if sys.__stdout__ is not None:
                    sys.__stdout__.flush()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null_fd)
