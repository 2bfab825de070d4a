"""A flood on the public routes is refused by API Gateway before it reaches Lambda, and when configured,
the public functions cannot take more than their share of the account's concurrency."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.config import StarlingConfig

DEFAULTS = StarlingConfig()


def _stage(template: Template) -> dict[str, Any]:
    ((_, stage),) = template.find_resources("AWS::ApiGatewayV2::Stage").items()
    return stage


def _routes(template: Template) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        r["Properties"]["RouteKey"]: (lid, r["Properties"])
        for lid, r in template.find_resources("AWS::ApiGatewayV2::Route").items()
    }


def _limits(rate: int, burst: int) -> dict[str, int]:
    return {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}


def _function(template: Template, prefix: str) -> dict[str, Any]:
    (found,) = [
        f["Properties"]
        for lid, f in template.find_resources("AWS::Lambda::Function").items()
        if lid.startswith(prefix)
    ]
    return found


def test_the_stage_throttles_every_route_that_has_no_limit_of_its_own(template: Template) -> None:
    assert _stage(template)["Properties"]["DefaultRouteSettings"] == _limits(
        DEFAULTS.api_throttle_rate, DEFAULTS.api_throttle_burst
    )


def test_the_redirect_and_the_public_doors_have_their_own_limits(template: Template) -> None:
    settings = _stage(template)["Properties"]["RouteSettings"]
    redirect = _limits(DEFAULTS.redirect_throttle_rate, DEFAULTS.redirect_throttle_burst)
    public = _limits(DEFAULTS.public_throttle_rate, DEFAULTS.public_throttle_burst)
    assert settings["GET /{slug}"] == settings["HEAD /{slug}"] == redirect
    for key in ("GET /apply/{brand_slug}", "POST /apply/{brand_slug}"):
        assert settings[key] == public, key
    # The brand API function's doors that need no key: a flood there would starve the brand API.
    for key in ("GET /health", "GET /openapi.json", "GET /docs", "$default"):
        assert settings[key] == public, key
    assert DEFAULTS.public_throttle_rate < DEFAULTS.api_throttle_rate < DEFAULTS.redirect_throttle_rate


def test_every_route_without_an_api_key_has_its_own_limit(template: Template) -> None:
    # Given every route of the API, when a route needs no API key, then the stage limits it by its key
    settings = _stage(template)["Properties"]["RouteSettings"]
    public = [
        key for key, (_, props) in _routes(template).items() if props.get("AuthorizationType") != "CUSTOM"
    ]
    assert len(public) >= 8
    unthrottled = [key for key in public if key not in settings]
    assert not unthrottled, f"public routes without their own limit (use throttle_routes): {unthrottled}"


def test_the_stage_is_created_after_the_routes_it_names(template: Template) -> None:
    # API Gateway refuses route settings for a route key it has not got yet.
    stage = _stage(template)
    routes = _routes(template)
    for key in stage["Properties"]["RouteSettings"]:
        assert key in routes, f"{key} names no route"
        assert routes[key][0] in stage["DependsOn"], key


def test_no_concurrency_is_reserved_by_default_so_a_new_account_can_deploy(template: Template) -> None:
    for lid, function in template.find_resources("AWS::Lambda::Function").items():
        assert "ReservedConcurrentExecutions" not in function["Properties"], lid


def test_configured_reservations_cap_the_redirect_and_the_public_function_only(
    configured_template: Template,
) -> None:
    assert _function(configured_template, "LinksRedirectFunction")["ReservedConcurrentExecutions"] == 100
    assert _function(configured_template, "WebPublicFunction")["ReservedConcurrentExecutions"] == 10
    capped = [
        lid
        for lid, f in configured_template.find_resources("AWS::Lambda::Function").items()
        if "ReservedConcurrentExecutions" in f["Properties"]
    ]
    assert len(capped) == 2


def test_the_context_sets_the_limits_and_zero_means_no_reservation() -> None:
    config = StarlingConfig.from_context(
        '{"redirect_throttle_rate": "500", "public_throttle_burst": 15, "redirect_reserved_concurrency": 0}'
    )
    assert config.redirect_throttle.rate == 500
    assert config.public_throttle.burst == 15
    assert config.redirect_reserved_concurrency is None
    assert StarlingConfig.from_context({"public_reserved_concurrency": 10}).public_reserved_concurrency == 10


@pytest.mark.parametrize(
    "setting",
    [{"redirect_reserved_concurrency": -1}, {"api_throttle_rate": 0}, {"public_throttle_burst": -5}],
)
def test_a_limit_that_would_shut_a_route_or_function_is_refused(setting: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=next(iter(setting))):
        StarlingConfig.from_context(setting)
