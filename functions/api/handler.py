"""The brand API: one resolver, a router per area, errors mapped once."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api.routes import creators, identity, links, meta, partners, products, reports
from starling.api.auth import authenticate
from starling.api.errors import register_error_handlers
from starling.api.events import json_object_bodies, treat_body_as_json
from starling.api.idempotency import idempotent_writes
from starling.dal.idempotency_repository import DynamoIdempotencyRepository
from starling.dal.identity_repository import DynamoIdentityRepository
from starling.observability import logger, metrics, tracer

app = APIGatewayHttpResolver(enable_validation=True)
app.use(
    middlewares=[
        authenticate(DynamoIdentityRepository),
        json_object_bodies(exempt_paths=("/v1/creators/import",)),
        idempotent_writes(DynamoIdempotencyRepository),
    ]
)
register_error_handlers(app)
app.include_router(meta.router)
app.include_router(identity.router)
app.include_router(creators.router)
app.include_router(partners.router)
app.include_router(links.router)
app.include_router(reports.router)
app.include_router(products.router)

_SPEC: dict[str, Any] = {
    "title": "Starling brand API",
    "version": "1",
    "description": "Partner programs for brands working with many micro- and nano-influencers.",
    "security_schemes": {"bearer": HTTPBearer(description="An API key: stk_live_...")},
    "security": [{"bearer": []}],
}
app.enable_swagger(path="/docs", **_SPEC)


@app.get("/openapi.json", include_in_schema=False)
def handle_openapi() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(app.get_openapi_json_schema(**_SPEC))
    return spec


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(treat_body_as_json(event), context)
