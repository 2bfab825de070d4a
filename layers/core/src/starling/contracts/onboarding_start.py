"""Starting the onboarding workflow: one execution per brand and partner, named after them, so that a
second start (a retried request, a move back to approved) is a no-op rather than a second onboarding."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError


def execution_name(brand_id: str, partner_id: str) -> str:
    """`onboarding-<brand>-<partner>`: within Step Functions' 80 characters, [A-Za-z0-9_-] only."""
    return f"onboarding-{brand_id}-{partner_id}"[:80]


def start_onboarding(client: Any, state_machine_arn: str, brand_id: str, partner_id: str) -> bool:
    """Start it. Step Functions answers a start with the name and input of a running execution with that
    execution (no second one); False when this partner's onboarding ran before and finished."""
    try:
        client.start_execution(
            stateMachineArn=state_machine_arn,
            name=execution_name(brand_id, partner_id),
            input=json.dumps({"brand_id": brand_id, "partner_id": partner_id}),
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return False
        raise
    return True
