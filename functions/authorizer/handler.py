"""The HTTP API's Lambda authorizer: an API key becomes a brand, a role and a key id.

It lets every request with an Authorization header through and says in its context whether the key
resolved: an HTTP API authorizer that denies makes API Gateway answer 403, and a bad key must get a 401
with the API's JSON error, which the API function gives. API Gateway caches each answer per header, so junk
keys cost no database read while cached; the API function still re-reads the key, so revocation is at once.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.identity.repository import DynamoIdentityRepository
from starling.identity.service import resolve_principal
from starling.shared.errors import Unauthorized
from starling.shared.observability import logger, metrics

_repo = DynamoIdentityRepository()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    headers = event.get("headers") or {}
    try:
        caller = resolve_principal(_repo, headers.get("authorization"))
    except Unauthorized as exc:
        logger.info("Unresolved API key", extra={"reason": exc.message})
        return {"isAuthorized": True, "context": {"authenticated": False, "reason": exc.message}}
    return {
        "isAuthorized": True,
        "context": {
            "authenticated": True,
            "brand_id": caller.brand_id,
            "role": caller.role.value,
            "key_id": caller.key_id,
        },
    }
