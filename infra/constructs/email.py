"""Outbound email: the SES identity partners get mail from, and the grant to send as it."""

from __future__ import annotations

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_ses as ses
from constructs import Construct


class EmailConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, sender_email: str) -> None:
        super().__init__(scope, construct_id)
        self.sender_email = sender_email
        self.identity = ses.EmailIdentity(self, "SenderIdentity", identity=ses.Identity.email(sender_email))
        self._identity_arn = Stack.of(self).format_arn(
            service="ses",
            resource="identity",
            resource_name=sender_email,
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    def grant_send(self, grantee: iam.IGrantable) -> None:
        """Send as the sender identity, and nothing else."""
        iam.Grant.add_to_principal(
            grantee=grantee, actions=["ses:SendEmail", "ses:SendRawEmail"], resource_arns=[self._identity_arn]
        )

    @property
    def environment(self) -> dict[str, str]:
        return {"SENDER_EMAIL": self.sender_email}
