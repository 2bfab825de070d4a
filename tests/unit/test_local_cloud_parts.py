"""The local cloud's pure parts: intrinsic functions, deployment order, route matching, environments."""

from __future__ import annotations

import threading

from infra.local.environ import InvocationEnviron
from infra.local.gateway import Route
from infra.local.template import Template


def _template() -> Template:
    return Template(
        resources={
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Fn": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Environment": {"Variables": {"T": {"Ref": "Table"}}}},
                "DependsOn": ["Role"],
            },
            "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
        },
        region="eu-west-1",
    )


def test_resources_are_deployed_after_what_they_reference() -> None:
    order = _template().deployment_order()
    assert order.index("Table") < order.index("Fn") and order.index("Role") < order.index("Fn")


def test_intrinsic_functions_resolve_against_deployed_resources() -> None:
    t = _template()
    t.deployed("Table", "core-table", Arn="arn:aws:dynamodb:eu-west-1:123456789012:table/core-table")
    assert t.resolve({"Ref": "Table"}) == "core-table"
    assert t.resolve({"Fn::GetAtt": ["Table", "Arn"]}).endswith("table/core-table")
    assert t.resolve({"Fn::Join": ["", ["x-", {"Ref": "AWS::Region"}]]}) == "x-eu-west-1"
    assert t.resolve({"Fn::Sub": "${Table}/${AWS::AccountId}"}) == "core-table/123456789012"
    assert t.resolve({"Fn::Sub": ["${A}-${Table.Arn}", {"A": "a"}]}).startswith("a-arn:aws:dynamodb")
    assert t.resolve({"Fn::Select": [1, {"Fn::Split": ["/", "a/b/c"]}]}) == "b"


def _route(key: str) -> Route:
    method, _, path = key.partition(" ")
    return Route(key, method, [s for s in path.split("/") if s], "fn", None)


def test_routes_match_like_api_gateway_exact_then_variables_then_greedy_then_default() -> None:
    routes = [
        _route(k) for k in ["$default", "ANY /v1/{proxy+}", "GET /{slug}", "GET /health", "GET /p/{handle}"]
    ]

    def pick(method: str, path: str) -> str:
        segments = [s for s in path.split("/") if s]
        found = [(r, p) for r in routes if (p := r.match(method, segments)) is not None]
        route, params = min(found, key=lambda m: m[0].specificity(method))
        return route.route_key + " " + repr(params)

    assert pick("GET", "/health") == "GET /health {}"
    assert pick("GET", "/abc123") == "GET /{slug} {'slug': 'abc123'}"
    assert pick("GET", "/p/maya") == "GET /p/{handle} {'handle': 'maya'}"
    assert pick("POST", "/v1/partners/p1/stage") == "ANY /v1/{proxy+} {'proxy': 'partners/p1/stage'}"
    assert pick("POST", "/abc123") == "$default {}"
    assert pick("GET", "/a/b/c") == "$default {}"


def test_each_thread_sees_its_own_invocation_environment() -> None:
    env = InvocationEnviron({"SHARED": "base"})
    seen: dict[str, tuple[str | None, str | None]] = {}

    def run(name: str) -> None:
        with env.invocation({"FN": name}):
            seen[name] = (env.get("FN"), env.get("SHARED"))

    threads = [threading.Thread(target=run, args=(f"fn{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {f"fn{i}": (f"fn{i}", "base") for i in range(8)}
    assert env.get("FN") is None
