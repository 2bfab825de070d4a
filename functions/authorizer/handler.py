"""The HTTP API's Lambda authorizer: an API key becomes a brand, a role and a key id.

API Gateway caches each answer by the Authorization header; the API re-checks revocation itself.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from starling.dal.identity_repository import DynamoIdentityRepository
from starling.errors import Unauthorized
from starling.logic.identity import resolve_principal
from starling.observability import logger, metrics

_repo = DynamoIdentityRepository()


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    headers = event.get("headers") or {}
    try:
        caller = resolve_principal(_repo, headers.get("authorization"))
    except Unauthorized as exc:
        logger.info("Refused API key", extra={"reason": exc.message})
        return {"isAuthorized": False}
    return {
        "isAuthorized": True,
        "context": {"brand_id": caller.brand_id, "role": caller.role.value, "key_id": caller.key_id},
    }
