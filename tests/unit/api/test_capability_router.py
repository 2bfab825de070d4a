"""A capability's router tags each of its routes with the capability, for the docs page's groups."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from starling.api.openapi import CAPABILITY_TAGS, CapabilityRouter


def test_each_route_carries_the_router_s_tag_unless_it_names_its_own() -> None:
    # Given a Links router with one untagged route and one that names its tag
    router = CapabilityRouter("Links")

    @router.get("/v1/a", summary="A")
    def a() -> dict[str, str]:
        return {}

    @router.post("/v1/b", tags=["Reports"])
    def b() -> dict[str, str]:
        return {}

    app = APIGatewayHttpResolver(enable_validation=True)
    app.include_router(router)
    # When the document is generated
    paths = app.get_openapi_schema(tags=list(CAPABILITY_TAGS)).model_dump(by_alias=True)["paths"]
    # Then the untagged route is in Links, and the other keeps its own
    assert paths["/v1/a"]["get"]["tags"] == ["Links"]
    assert paths["/v1/b"]["post"]["tags"] == ["Reports"]


def test_a_tag_that_is_not_a_capability_is_refused() -> None:
    with pytest.raises(ValueError):
        CapabilityRouter("Misc")
