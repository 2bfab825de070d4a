"""The shop endpoints: public routes to the brand API's function (no authorizer); the shop secrets share the
stack's one KMS key, which the API function may use to encrypt and decrypt shop secrets alone."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from infra.constructs.conversions.shops import SIGNED_PATHS, SNIPPET_PATH


def _integration_target(template: Template, route: dict[str, Any]) -> str:
    integration_id = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
    integration = template.find_resources("AWS::ApiGatewayV2::Integration")[integration_id]
    return json.dumps(integration["Properties"]["IntegrationUri"])


def test_the_shop_routes_reach_the_api_function_without_an_api_key(template: Template) -> None:
    routes = template.find_resources("AWS::ApiGatewayV2::Route")
    wanted = {f"POST {path}" for path in SIGNED_PATHS} | {f"GET {SNIPPET_PATH}"}
    found = {r["Properties"]["RouteKey"]: r for r in routes.values() if r["Properties"]["RouteKey"] in wanted}
    assert set(found) == wanted
    for route in found.values():
        assert route["Properties"].get("AuthorizationType", "NONE") == "NONE"
        assert "ApiApiFunction" in _integration_target(template, route)


def test_the_stack_has_one_kms_key_and_the_api_function_uses_it_for_shop_secrets_alone(
    template: Template,
) -> None:
    keys = template.find_resources("AWS::KMS::Key")
    (key_id,) = keys  # one customer-managed key ($1 a month): tax ids and shop secrets
    assert keys[key_id]["Properties"]["EnableKeyRotation"] is True
    assert keys[key_id]["DeletionPolicy"] == "Retain"
    api_statements = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        roles = [role["Ref"] for role in policy["Properties"]["Roles"]]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if key_id in json.dumps(statement.get("Resource")) and any(
                role.startswith("ApiApiFunctionServiceRole") for role in roles
            ):
                api_statements.append(statement)
    (statement,) = api_statements
    assert sorted(statement["Action"]) == ["kms:Decrypt", "kms:Encrypt"]
    assert statement["Condition"] == {"StringLike": {"kms:EncryptionContext:purpose": "shop-secret:*"}}


def test_the_api_function_knows_the_key(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function")
    (api,) = [f for lid, f in functions.items() if lid.startswith("ApiApiFunction")]
    assert "SHOP_SECRETS_KEY_ID" in api["Properties"]["Environment"]["Variables"]
