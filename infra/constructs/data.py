"""Data: the core table (every brand-owned item under its brand's partition), idempotency records, and
the bucket of creator search segments (S3 objects listed by a manifest in the core table)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge


class DataConstruct(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.core_table = dynamodb.Table(
            self,
            "CoreTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute="expires_at",
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.core_table.add_global_secondary_index(
            index_name="gsi1",
            partition_key=dynamodb.Attribute(name="gsi1pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="gsi1sk", type=dynamodb.AttributeType.STRING),
        )
        self.idempotency_table = dynamodb.Table(
            self,
            "IdempotencyTable",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute="expires_at",
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Search segments: written once, listed by the owner's manifest, deleted when a newer one replaces
        # them (starling.discovery.segments). Storage only: nothing is billed by the hour.
        self.search_bucket = s3.Bucket(
            self,
            "SearchBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.search_bucket,
            "S1",
            "Only the functions' own roles read and write search segments; server access logs would need a "
            "second bucket and hold nothing those roles' CloudTrail events do not.",
        )

    @property
    def search_environment(self) -> dict[str, str]:
        return {"SEARCH_BUCKET_NAME": self.search_bucket.bucket_name}

    def grant_search(self, function: iam.IGrantable) -> None:
        """Read, write and delete search segments (objects under search/), nothing else in the bucket."""
        self.search_bucket.grant_read_write(function, "search/*")
        self.search_bucket.grant_delete(function, "search/*")
        acknowledge(
            function,  # type: ignore[arg-type]
            "IAM5[Resource::<DataSearchBucketBFEC8342.Arn>/search/*]",
            "Segment objects get a new random key on every write; the grant covers the search/ prefix only.",
        )
        for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"):
            acknowledge(
                function,  # type: ignore[arg-type]
                f"IAM5[Action::{action}]",
                "CDK's grant_read_write/grant_delete on the search bucket's search/ prefix only.",
            )
