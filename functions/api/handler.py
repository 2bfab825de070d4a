"""The brand API: one resolver, a router per area, errors mapped once."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api.routes import (
    campaigns,
    contracts,
    conversions,
    costs,
    creators,
    deliverables,
    identity,
    links,
    meta,
    onboarding,
    partners,
    payouts,
    products,
    reports,
    shops,
    snippet,
)
from starling.api.auth import PROTECTED_PREFIX, authenticate, authorize
from starling.api.errors import register_error_handlers
from starling.api.events import treat_body_as_json
from starling.api.gate import json_bodies, known_query_parameters, run_before_validation
from starling.api.idempotency import idempotent_writes
from starling.api.idempotency_store import DynamoIdempotencyRepository
from starling.api.openapi import CAPABILITY_TAGS, document_errors, set_request_body
from starling.identity.repository import DynamoIdentityRepository
from starling.shared.observability import logger, metrics, tracer

IMPORT_TYPES = ("text/csv", "application/csv", "text/plain")
app = APIGatewayHttpResolver(enable_validation=True)
# Who calls, what they send, and whether the role may: all before the body is validated or replayed.
run_before_validation(
    app,
    [
        authenticate(DynamoIdentityRepository),
        json_bodies(PROTECTED_PREFIX, other_types={"/v1/creators/import": IMPORT_TYPES}),
        authorize,
        known_query_parameters,
        idempotent_writes(DynamoIdempotencyRepository),
    ],
)
register_error_handlers(app)
app.include_router(meta.router)
app.include_router(identity.router)
app.include_router(creators.router)
app.include_router(partners.router)
app.include_router(onboarding.router)
app.include_router(links.router)
app.include_router(contracts.router)
app.include_router(conversions.router)
app.include_router(payouts.router)
app.include_router(costs.router)
app.include_router(deliverables.router)
app.include_router(shops.router)
app.include_router(snippet.router)
app.include_router(reports.router)
app.include_router(products.router)
app.include_router(campaigns.router)

_SPEC: dict[str, Any] = {
    "title": "Starling brand API",
    "version": "1",
    "description": "Partner programs for brands working with many micro- and nano-influencers.",
    "security_schemes": {"bearer": HTTPBearer(description="An API key: stk_live_...")},
    "security": [{"bearer": []}],
    "tags": list(CAPABILITY_TAGS),
}
app.enable_swagger(path="/docs", **_SPEC)


_IMPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": {"type": "object"}, "maxItems": 10000},
            "example": [{"platform": "instagram", "handle": "maya.makes", "followers": 12400}],
        },
        "text/csv": {
            "schema": {"type": "string"},
            "example": "platform,handle,followers\ninstagram,maya.makes,12400\n",
        },
    },
}


@app.get("/openapi.json", include_in_schema=False)
def handle_openapi() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(app.get_openapi_json_schema(**_SPEC))
    set_request_body(spec, "/v1/creators/import", "post", _IMPORT_BODY)
    for path, body in shops.SHOP_BODIES.items():
        set_request_body(spec, path, "post", body)
    return document_errors(spec, PROTECTED_PREFIX)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(treat_body_as_json(event), context)
