"""The partner portal (/portal) and product pages (/p/{handle}): HTML pages behind a magic-link session.

Every page after sign-in reads the brand and partner from the signed session cookie, never from the URL:
an id in a path (a link's slug, a contract's id) is looked up within the session's brand and must be the
session's partner's, else the page is a 404.
"""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.portal import (  # noqa: F401 - routes
    contract_views,
    deliverable_views,
    onboarding_views,
    partner_views,
    signin,
)
from functions.portal.web import app
from starling.shared.observability import logger, metrics


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
