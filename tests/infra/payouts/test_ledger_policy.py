"""The ledger is append-only by policy, across the whole synthesized stack: no role may update or delete
its items (nor batch-write them, which could overwrite), only the roles given `grant_post` may put them,
and each table's resource policy denies those writes to every principal whatever identity policy says."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from infra.constructs.payouts.ledger import BALANCES_DENIED, LEDGER_DENIED, LedgerConstruct
from infra.stack import StarlingStack


def _logical_id(stack: cdk.Stack, construct: Any) -> str:
    return str(stack.resolve(construct.node.default_child.logical_id))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _grants(template: dict[str, Any]) -> list[tuple[str, list[str], list[Any]]]:
    """(the role it is attached to, actions, resources) of every Allow statement of every IAM policy."""
    found = []
    for resource in template["Resources"].values():
        kind, props = resource["Type"], resource.get("Properties", {})
        documents: list[tuple[str, dict[str, Any]]] = []
        if kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for role in props.get("Roles", []):
                documents.append((json.dumps(role), props["PolicyDocument"]))
        elif kind == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                documents.append(("inline", policy["PolicyDocument"]))
        for role, document in documents:
            for statement in document["Statement"]:
                if statement["Effect"] == "Allow":
                    found.append(
                        (role, _as_list(statement["Action"]), _as_list(statement.get("Resource", [])))
                    )
    return found


def _covers(resources: list[Any], logical_id: str) -> bool:
    """Whether these resources reach the table: `*`, or any text that names the table's logical id."""
    return any(r == "*" or logical_id in json.dumps(r) for r in resources)


def _allows(actions: list[str], action: str) -> bool:
    return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in actions)


def test_no_role_anywhere_may_update_or_delete_a_ledger_item_or_a_balance(stack: StarlingStack) -> None:
    template = Template.from_stack(stack).to_json()
    ledger = _logical_id(stack, stack.ledger.ledger_table)
    balances = _logical_id(stack, stack.ledger.balances_table)
    for role, actions, resources in _grants(template):
        if _covers(resources, ledger):
            assert not [a for a in LEDGER_DENIED if _allows(actions, a)], (role, actions)
        if _covers(resources, balances):
            assert not [a for a in BALANCES_DENIED if _allows(actions, a)], (role, actions)


def test_only_the_roles_given_grant_post_may_put_ledger_items(stack: StarlingStack) -> None:
    template = Template.from_stack(stack).to_json()
    ledger = _logical_id(stack, stack.ledger.ledger_table)
    writers = {json.dumps(stack.resolve(w.grant_principal.role_name)) for w in stack.ledger.writers}  # type: ignore[attr-defined]
    putters = {
        role
        for role, actions, resources in _grants(template)
        if _covers(resources, ledger) and _allows(actions, "dynamodb:PutItem")
    }
    assert putters == writers


def test_each_ledger_table_denies_its_forbidden_writes_to_every_principal(stack: StarlingStack) -> None:
    template = Template.from_stack(stack).to_json()["Resources"]
    for table, denied in (
        (stack.ledger.ledger_table, LEDGER_DENIED),
        (stack.ledger.balances_table, BALANCES_DENIED),
    ):
        props = template[_logical_id(stack, table)]["Properties"]
        [statement] = props["ResourcePolicy"]["PolicyDocument"]["Statement"]
        assert statement["Effect"] == "Deny" and statement["Principal"] == {"AWS": "*"}
        assert set(statement["Action"]) == set(denied)
        assert props["DeletionProtectionEnabled"] is True
        assert "TimeToLiveSpecification" not in props  # ledger items never expire


def test_grant_post_gives_puts_on_the_ledger_and_adds_on_balances_and_grant_read_only_reads() -> None:
    # Given a stack with a writer and a reader of the ledger
    app = cdk.App()
    stack = cdk.Stack(app, "LedgerPolicyProof")
    ledger = LedgerConstruct(stack, "Ledger")
    writer = iam.Role(stack, "Writer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    reader = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    ledger.grant_post(writer)
    ledger.grant_read(reader)
    grants = _grants(Template.from_stack(stack).to_json())
    ledger_id, balances_id = (
        _logical_id(stack, ledger.ledger_table),
        _logical_id(stack, ledger.balances_table),
    )

    def allowed(role: iam.Role, table: str) -> set[str]:
        ref = json.dumps(stack.resolve(role.role_name))
        return {a for r, actions, res in grants if r == ref and _covers(res, table) for a in actions}

    # Then the writer puts ledger items and moves balances, and the reader reads
    assert allowed(writer, ledger_id) == {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"}
    assert allowed(writer, balances_id) == {
        "dynamodb:UpdateItem",
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
    }
    assert allowed(reader, ledger_id) == {"dynamodb:GetItem", "dynamodb:Query"}
    assert allowed(reader, balances_id) == {"dynamodb:GetItem", "dynamodb:BatchGetItem"}
    assert ledger.writers == [writer]
