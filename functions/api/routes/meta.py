"""Health, a home page for a person who opens the API's address, and the API's own description."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from pydantic import BaseModel

from functions.page_shell import message_page

router = APIGatewayHttpRouter()

_HOME = message_page(
    "Starling",
    "This is the Starling API of a partner program. Brands call it with an API key; "
    "its documentation lists every route.",
    ("Open the API documentation", "/docs"),
)


class Health(BaseModel):
    status: str


@router.get("/health", summary="Liveness")
def handle_health() -> Health:
    return Health(status="ok")


@router.get(
    "/",
    summary="A small page that points a person to the documentation",
    responses={
        200: {"description": "An HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
    },
)
def handle_home() -> Response[str]:
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=_HOME)
