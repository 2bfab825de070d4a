"""Health and the API's own description."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

router = APIGatewayHttpRouter()


class Health(BaseModel):
    status: str


@router.get("/health", summary="Liveness")
def handle_health() -> Health:
    return Health(status="ok")
