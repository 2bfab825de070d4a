"""The shop endpoints: public routes to the brand API's function (no authorizer), and a KMS key of their own
that only that function may encrypt and decrypt with, and nothing more."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from infra.constructs.conversions.construct import SIGNED_PATHS, SNIPPET_PATH


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


def test_only_the_api_function_may_use_the_shop_secrets_key_and_only_to_encrypt_and_decrypt(
    template: Template,
) -> None:
    keys = template.find_resources("AWS::KMS::Key")
    (key_id,) = [lid for lid in keys if lid.startswith("ShopConversionsShopSecretsKey")]
    assert keys[key_id]["Properties"]["EnableKeyRotation"] is True
    assert keys[key_id]["DeletionPolicy"] == "Retain"
    users: dict[str, set[str]] = {}
    for policy in template.find_resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if key_id in json.dumps(statement.get("Resource")):
                actions = statement["Action"]
                for role in policy["Properties"]["Roles"]:
                    users.setdefault(role["Ref"], set()).update(
                        [actions] if isinstance(actions, str) else actions
                    )
    assert len(users) == 1
    ((role, actions),) = users.items()
    assert role.startswith("ApiApiFunctionServiceRole")
    assert actions == {"kms:Encrypt", "kms:Decrypt"}


def test_the_api_function_knows_the_key(template: Template) -> None:
    functions = template.find_resources("AWS::Lambda::Function")
    (api,) = [f for lid, f in functions.items() if lid.startswith("ApiApiFunction")]
    assert "SHOP_SECRETS_KEY_ID" in api["Properties"]["Environment"]["Variables"]
