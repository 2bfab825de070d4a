"""Large creator imports: a CSV uploaded to the data bucket under imports/ tells a queue, and the import
function reads it from there (starling.discovery.uploads). The API function only presigns the upload.

The bucket's notification is written on the bucket itself (its NotificationConfiguration), not through
CDK's notifications custom resource, which would add a Node.js function: the queue's policy lets S3 of
this account send, and the bucket waits for that policy."""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constructs.data import DataConstruct
from infra.constructs.runtime import RuntimeConstruct
from infra.nag import acknowledge

IMPORT_TIMEOUT = Duration.minutes(15)  # Lambda's most: about a million rows on AWS per run, then it resumes
UPLOADS_PREFIX = "imports/"


class CreatorImportsConstruct(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, runtime: RuntimeConstruct, data: DataConstruct
    ) -> None:
        super().__init__(scope, construct_id)
        self.failures = sqs.Queue(
            self,
            "ImportFailures",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.queue = sqs.Queue(
            self,
            "UploadedImports",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.minutes(16),  # longer than a run of the function
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.failures, max_receive_count=5),
        )
        self.queue.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("s3.amazonaws.com")],
                actions=["sqs:SendMessage"],
                resources=[self.queue.queue_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            )
        )
        bucket = data.search_bucket.node.default_child
        assert isinstance(bucket, s3.CfnBucket)
        bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            queue_configurations=[
                s3.CfnBucket.QueueConfigurationProperty(
                    event="s3:ObjectCreated:*",
                    queue=self.queue.queue_arn,
                    filter=s3.CfnBucket.NotificationFilterProperty(
                        s3_key=s3.CfnBucket.S3KeyFilterProperty(
                            rules=[s3.CfnBucket.FilterRuleProperty(name="prefix", value=UPLOADS_PREFIX)]
                        )
                    ),
                )
            ]
        )
        policy = self.queue.node.try_find_child("Policy")
        if policy is not None:
            bucket.node.add_dependency(policy)

        self.import_function = runtime.function(
            self,
            "ImportFunction",
            name="imports",
            environment={
                "TABLE_NAME": data.core_table.table_name,
                **data.search_environment,
            },
            memory_mb=2048,
            timeout_seconds=int(IMPORT_TIMEOUT.to_seconds()),
        )
        data.core_table.grant_read_write_data(self.import_function)
        data.grant_search(self.import_function)
        data.search_bucket.grant_read(self.import_function, f"{UPLOADS_PREFIX}*")
        acknowledge(
            self.import_function,
            "IAM5[Resource::<DataSearchBucketBFEC8342.Arn>/imports/*]",
            "The function reads any uploaded import file; each has its own key under imports/.",
        )
        acknowledge(
            self.import_function,
            "IAM5[Resource::<DataCoreTable86B2D1B6.Arn>/index/*]",
            "Queries use the core table's own secondary indexes, which grant_*_data covers with index/*.",
        )
        self.import_function.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=1, report_batch_item_failures=True)
        )

    def grant_start(self, function: lambda_.IFunction, data: DataConstruct) -> None:
        """Presign uploads: the URL carries `function`'s right to put objects under imports/."""
        data.search_bucket.grant_put(function, f"{UPLOADS_PREFIX}*")
        acknowledge(
            function,
            "IAM5[Resource::<DataSearchBucketBFEC8342.Arn>/imports/*]",
            "Each import's upload gets its own key under imports/, presigned for one file.",
        )

    @property
    def dead_letter_queues(self) -> list[sqs.IQueue]:
        return [self.failures]
