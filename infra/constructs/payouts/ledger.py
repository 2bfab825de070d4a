"""The ledger's two tables (starling.payouts.ledger_store): the ledger itself, put-only, and the balances.

Only roles given `grant_post` (the payouts workflow's) may write: `PutItem` on the ledger table, `UpdateItem`
on the balances table, both only ever inside the ledger's one `TransactWriteItems`. A resource policy on
each table denies every principal the item writes nothing may do (update or delete a ledger item, delete a
balance, batch writes that could overwrite unconditionally, PartiQL writes), so no identity policy added
later, however broad, can grant them. tests/infra/payouts asserts both over the whole template.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

# What no principal may do to the ledger table: its items are put once and never changed.
LEDGER_DENIED = (
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
)
# What no principal may do to a balance: it only moves by ADD in a ledger transaction.
BALANCES_DENIED = (
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
)
LEDGER_WRITE = ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query")
BALANCES_WRITE = ("dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:BatchGetItem")
LEDGER_READ = ("dynamodb:GetItem", "dynamodb:Query")
BALANCES_READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem")


def _deny_all(actions: tuple[str, ...]) -> iam.PolicyDocument:
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="LedgerIsAppendOnly",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=list(actions),
                resources=["*"],  # in a table's resource policy, "*" is that table
            )
        ]
    )


def _table(scope: Construct, construct_id: str, denied: tuple[str, ...]) -> dynamodb.Table:
    return dynamodb.Table(
        scope,
        construct_id,
        partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        deletion_protection=True,
        removal_policy=RemovalPolicy.RETAIN,
        resource_policy=_deny_all(denied),
    )


class LedgerConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.ledger_table = _table(self, "LedgerTable", LEDGER_DENIED)
        self.balances_table = _table(self, "BalancesTable", BALANCES_DENIED)
        self.writers: list[iam.IGrantable] = []

    @property
    def environment(self) -> dict[str, str]:
        return {
            "LEDGER_TABLE_NAME": self.ledger_table.table_name,
            "LEDGER_BALANCES_TABLE_NAME": self.balances_table.table_name,
        }

    def grant_post(self, grantee: iam.IGrantable) -> None:
        """Post ledger transactions (and read what it posted): only the payouts workflow's roles."""
        self.ledger_table.grant(grantee, *LEDGER_WRITE)
        self.balances_table.grant(grantee, *BALANCES_WRITE)
        self.writers.append(grantee)

    def grant_read(self, grantee: iam.IGrantable) -> None:
        """Read balances and entries (statements, the portal's earnings to date)."""
        self.ledger_table.grant(grantee, *LEDGER_READ)
        self.balances_table.grant(grantee, *BALANCES_READ)
