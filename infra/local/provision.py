"""Creating each resource of the template on moto, straight from its properties.

moto's own CloudFormation cannot create API Gateway v2 resources and keeps state machines in its
non-executing backend, so each resource type is created here with the service's own API. Types that only
matter on AWS (permissions, log settings, layers) are recorded so references to them resolve.
"""

from __future__ import annotations

import io
import json
import secrets
import string
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.local.logs import LOG_GROUPS
from infra.local.pollers import SqsMapping, detach_moto_push
from infra.local.streams import KinesisMapping, detach_moto_stream_push
from infra.local.subscriptions import ASYNC_CONFIGS, AsyncConfig, rate_seconds
from infra.local.template import ACCOUNT_ID, Template

Provisioner = Callable[["Provisioning", str, dict[str, Any]], None]
_PROVISIONERS: dict[str, Provisioner] = {}


def provisions(resource_type: str) -> Callable[[Provisioner], Provisioner]:
    def register(fn: Provisioner) -> Provisioner:
        _PROVISIONERS[resource_type] = fn
        return fn

    return register


class Provisioning:
    def __init__(self, template: Template, endpoint_url: str, api_url: str, stripe_url: str = "") -> None:
        self.template = template
        self.api_url = api_url
        self.stripe_url = stripe_url
        self.region = template.region
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}
        self.sqs_mappings: list[SqsMapping] = []
        self.kinesis_mappings: list[KinesisMapping] = []
        self.schedules: list[tuple[str, float, list[str]]] = []  # rule ARN, seconds, function ARNs

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self._endpoint_url,
                region_name=self.region,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
        return self._clients[service]

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT_ID}:{resource}"

    def deploy_all(self) -> None:
        for logical_id in self.template.deployment_order():
            resource = self.template.resources[logical_id]
            properties = self.template.resolve(resource.get("Properties", {}))
            provisioner = _PROVISIONERS.get(resource["Type"])
            if provisioner is None:
                self.template.deployed(logical_id, logical_id)
            else:
                provisioner(self, logical_id, properties)


@provisions("AWS::IAM::Role")
def _role(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    role = p.client("iam").create_role(
        RoleName=logical_id, AssumeRolePolicyDocument=json.dumps(props.get("AssumeRolePolicyDocument", {}))
    )["Role"]
    p.template.deployed(logical_id, logical_id, Arn=role["Arn"], RoleId=role["RoleId"])


@provisions("AWS::DynamoDB::Table")
def _table(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("TableName", logical_id)
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if args["BillingMode"] == "PROVISIONED":
        args["ProvisionedThroughput"] = props.get(
            "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"):
        if key in props:
            args[key] = props[key]
    if "StreamSpecification" in args:
        args["StreamSpecification"] = {"StreamEnabled": True, **args["StreamSpecification"]}
    client = p.client("dynamodb")
    table = client.create_table(**args)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
        )
    pitr = props.get("PointInTimeRecoverySpecification", {})
    if pitr.get("PointInTimeRecoveryEnabled"):
        client.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    attributes = {"Arn": table["TableArn"]}
    if "LatestStreamArn" in table:
        attributes["StreamArn"] = table["LatestStreamArn"]
    p.template.deployed(logical_id, name, **attributes)


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
)


@provisions("AWS::SQS::Queue")
def _queue(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("QueueName", logical_id + (".fifo" if props.get("FifoQueue") else ""))
    attributes = {
        key: str(props[key]).lower() if isinstance(props[key], bool) else str(props[key])
        for key in _QUEUE_ATTRIBUTES
        if key in props
    }
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
    url = p.client("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    p.template.deployed(logical_id, url, Arn=p.arn("sqs", name), QueueName=name, QueueUrl=url)


@provisions("AWS::S3::Bucket")
def _bucket(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("BucketName", logical_id.lower()[:63])
    where = {} if p.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": p.region}}
    p.client("s3").create_bucket(Bucket=name, **where)
    queues = props.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
    if queues:  # moto's S3 then sends the event to the queue, and the queue's mapping to the function
        p.client("s3").put_bucket_notification_configuration(
            Bucket=name,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "QueueArn": queue["Queue"],
                        "Events": [queue["Event"]],
                        "Filter": {
                            "Key": {"FilterRules": queue.get("Filter", {}).get("S3Key", {}).get("Rules", [])}
                        },
                    }
                    for queue in queues
                ]
            },
        )
    p.template.deployed(
        logical_id,
        name,
        Arn=f"arn:aws:s3:::{name}",
        DomainName=f"{name}.s3.amazonaws.com",
        RegionalDomainName=f"{name}.s3.{p.region}.amazonaws.com",
    )


@provisions("AWS::SNS::Topic")
def _topic(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    arn = p.client("sns").create_topic(Name=props.get("TopicName", logical_id))["TopicArn"]
    p.template.deployed(logical_id, arn, TopicArn=arn, TopicName=arn.rsplit(":", 1)[1])


@provisions("AWS::SNS::TopicPolicy")
def _topic_policy(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    for topic_arn in props["Topics"]:
        p.client("sns").set_topic_attributes(
            TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(props["PolicyDocument"])
        )
    p.template.deployed(logical_id, logical_id)


@provisions("AWS::SNS::Subscription")
def _subscription(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    # moto records an email subscription and sends nothing: alarms have no local mailbox.
    arn = p.client("sns").subscribe(
        TopicArn=props["TopicArn"], Protocol=props["Protocol"], Endpoint=props["Endpoint"]
    )["SubscriptionArn"]
    p.template.deployed(logical_id, arn)


_ALARM_PROPERTIES = (
    "AlarmDescription",
    "ActionsEnabled",
    "OKActions",
    "AlarmActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Period",
    "Unit",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Metrics",
    "ThresholdMetricId",
    "Tags",
)


@provisions("AWS::CloudWatch::Alarm")
def _alarm(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    """Created on moto so `aws cloudwatch describe-alarms` shows them; moto never evaluates them."""
    name = props.get("AlarmName", logical_id)
    args = {key: props[key] for key in _ALARM_PROPERTIES if key in props}
    if "Threshold" in args:
        args["Threshold"] = float(args["Threshold"])
    p.client("cloudwatch").put_metric_alarm(AlarmName=name, **args)
    p.template.deployed(logical_id, name, Arn=p.arn("cloudwatch", f"alarm:{name}"))


@provisions("AWS::CloudWatch::Dashboard")
def _dashboard(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("DashboardName", logical_id)
    p.client("cloudwatch").put_dashboard(DashboardName=name, DashboardBody=props["DashboardBody"])
    p.template.deployed(logical_id, name)


def _placeholder_zip() -> bytes:
    """moto wants a code package; the local cloud runs the handler from the source tree instead."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "Run in-process by the Starling local cloud from the source tree.\n")
    return buffer.getvalue()


@provisions("AWS::Lambda::Function")
def _function(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("FunctionName", logical_id)
    variables = {k: str(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
    if variables.get("PUBLIC_BASE_URL") == "":
        # No domain is configured here: links in emails sent outside a request (workflows) point at the
        # local HTTP API, as a request's own domain would.
        variables["PUBLIC_BASE_URL"] = p.api_url
    if variables.get("STRIPE_API_BASE") == "" and p.stripe_url:
        # No payment network here: the stripe SDK talks to the local Stripe-compatible server.
        variables["STRIPE_API_BASE"] = p.stripe_url
    function = p.client("lambda").create_function(
        FunctionName=name,
        Runtime=props.get("Runtime", "python3.13"),
        Role=props["Role"],
        Handler=props["Handler"],
        Code={"ZipFile": _placeholder_zip()},
        Environment={"Variables": variables},
        Timeout=int(props.get("Timeout", 3)),
        MemorySize=int(props.get("MemorySize", 128)),
        Architectures=props.get("Architectures", ["x86_64"]),
    )
    log_group = props.get("LoggingConfig", {}).get("LogGroup")
    if log_group:
        LOG_GROUPS[name] = log_group
    p.template.deployed(logical_id, name, Arn=function["FunctionArn"])


@provisions("AWS::Kinesis::Stream")
def _stream(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("Name", logical_id)
    client = p.client("kinesis")
    args: dict[str, Any] = {"StreamName": name}
    if props.get("StreamModeDetails", {}).get("StreamMode") == "ON_DEMAND":
        args["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}  # moto gives it a fixed four shards
    else:
        args["ShardCount"] = int(props.get("ShardCount", 1))
    client.create_stream(**args)
    client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    retention = int(props.get("RetentionPeriodHours", 24))
    if retention > 24:
        client.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=retention)
    encryption = props.get("StreamEncryption")
    if encryption:
        client.start_stream_encryption(
            StreamName=name, EncryptionType=encryption["EncryptionType"], KeyId=encryption["KeyId"]
        )
    tags = {tag["Key"]: str(tag["Value"]) for tag in props.get("Tags", [])}
    if tags:
        client.add_tags_to_stream(StreamName=name, Tags=tags)
    arn = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    p.template.deployed(logical_id, name, Arn=arn)


_STREAM_MAPPING_PROPERTIES = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FunctionResponseTypes",
    "StartingPosition",
    "StartingPositionTimestamp",
    "Enabled",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "ParallelizationFactor",
    "DestinationConfig",
)


def _stream_mapping(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    """A Kinesis mapping: recorded on moto when it takes it (but delivered by the local poller), else here."""
    args = {key: props[key] for key in _STREAM_MAPPING_PROPERTIES if key in props}
    try:
        mapping = p.client("lambda").create_event_source_mapping(
            EventSourceArn=props["EventSourceArn"], FunctionName=props["FunctionName"], **args
        )
    except ClientError:
        mapping_id, function_name = str(uuid.uuid4()), props["FunctionName"]
    else:
        mapping_id, function_name = mapping["UUID"], mapping["FunctionArn"].rsplit(":", 1)[1]
        detach_moto_stream_push(p.region, props["EventSourceArn"].split("/", 1)[1])
    if props.get("Enabled", True):
        p.kinesis_mappings.append(KinesisMapping.from_properties(props, function_name))
    p.template.deployed(logical_id, mapping_id)


@provisions("AWS::Lambda::EventSourceMapping")
def _event_source_mapping(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    if props["EventSourceArn"].startswith("arn:aws:kinesis:"):
        _stream_mapping(p, logical_id, props)
        return
    args: dict[str, Any] = {"EventSourceArn": props["EventSourceArn"], "FunctionName": props["FunctionName"]}
    for key in (
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "FunctionResponseTypes",
        "StartingPosition",
        "Enabled",
    ):
        if key in props:
            args[key] = props[key]
    mapping = p.client("lambda").create_event_source_mapping(**args)
    if props["EventSourceArn"].startswith("arn:aws:sqs:") and props.get("Enabled", True):
        queue_name = props["EventSourceArn"].rsplit(":", 1)[1]
        detach_moto_push(p.region, queue_name)
        p.sqs_mappings.append(
            SqsMapping(
                queue_arn=props["EventSourceArn"],
                function_name=mapping["FunctionArn"].rsplit(":", 1)[1],
                batch_size=int(props.get("BatchSize", 10)),
                batching_window_seconds=float(props.get("MaximumBatchingWindowInSeconds", 0)),
                report_batch_item_failures="ReportBatchItemFailures"
                in props.get("FunctionResponseTypes", []),
            )
        )
    p.template.deployed(logical_id, mapping["UUID"])


@provisions("AWS::StepFunctions::StateMachine")
def _state_machine(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    definition = props.get("DefinitionString") or json.dumps(props["Definition"])
    for name, value in props.get("DefinitionSubstitutions", {}).items():
        definition = definition.replace("${" + name + "}", str(value))
    name = props.get("StateMachineName", logical_id)
    arn = p.client("stepfunctions").create_state_machine(
        name=name,
        definition=definition,
        roleArn=props["RoleArn"],
        type=props.get("StateMachineType", "STANDARD"),
    )["stateMachineArn"]
    p.template.deployed(logical_id, arn, Arn=arn, Name=name)


@provisions("AWS::Events::EventBus")
def _event_bus(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    arn = p.client("events").create_event_bus(Name=props["Name"])["EventBusArn"]
    p.template.deployed(logical_id, props["Name"], Arn=arn, Name=props["Name"])


@provisions("AWS::Events::Rule")
def _event_rule(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    client = p.client("events")
    args: dict[str, Any] = {"Name": props.get("Name", logical_id), "State": props.get("State", "ENABLED")}
    if "EventPattern" in props:
        args["EventPattern"] = json.dumps(props["EventPattern"])
    if "ScheduleExpression" in props:
        args["ScheduleExpression"] = props["ScheduleExpression"]
    if "EventBusName" in props:
        args["EventBusName"] = props["EventBusName"]
    arn = client.put_rule(**args)["RuleArn"]
    targets = [
        {key: value for key, value in target.items() if key in ("Id", "Arn", "Input", "InputPath", "RoleArn")}
        for target in props.get("Targets", [])
    ]
    if targets:
        client.put_targets(
            Rule=args["Name"], EventBusName=args.get("EventBusName", "default"), Targets=targets
        )
    seconds = rate_seconds(str(props.get("ScheduleExpression", "")))
    functions = [t["Arn"] for t in targets if str(t["Arn"]).startswith("arn:aws:lambda:")]
    if seconds and functions and args["State"] == "ENABLED":  # moto never fires a schedule: the cloud does
        p.schedules.append((arn, seconds, functions))
    p.template.deployed(logical_id, args["Name"], Arn=arn)


@provisions("AWS::Lambda::EventInvokeConfig")
def _event_invoke_config(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    """Asynchronous invocations' retries and on-failure destination, which the local cloud applies."""
    name = str(props["FunctionName"]).rsplit(":", 1)[-1]
    ASYNC_CONFIGS[name] = AsyncConfig(
        maximum_retry_attempts=int(props.get("MaximumRetryAttempts", 2)),
        on_failure_destination=props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
    )
    p.template.deployed(logical_id, f"{name}:{props.get('Qualifier', '$LATEST')}")


@provisions("AWS::SecretsManager::Secret")
def _secret(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    generate = props.get("GenerateSecretString")
    if "SecretString" in props:
        value = props["SecretString"]
    else:
        generate = generate or {}
        alphabet = string.ascii_letters + string.digits
        secret = "".join(secrets.choice(alphabet) for _ in range(int(generate.get("PasswordLength", 32))))
        template = generate.get("SecretStringTemplate")
        if template and generate.get("GenerateStringKey"):
            value = json.dumps({**json.loads(template), generate["GenerateStringKey"]: secret})
        else:
            value = secret
    arn = p.client("secretsmanager").create_secret(Name=props.get("Name", logical_id), SecretString=value)[
        "ARN"
    ]
    p.template.deployed(logical_id, arn, Id=arn)


@provisions("AWS::KMS::Key")
def _kms_key(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    key = p.client("kms").create_key(
        Description=props.get("Description", logical_id), KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT")
    )["KeyMetadata"]
    p.template.deployed(logical_id, key["KeyId"], Arn=key["Arn"], KeyId=key["KeyId"])


@provisions("AWS::SES::EmailIdentity")
def _email_identity(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    identity = props["EmailIdentity"]
    ses = p.client("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    p.template.deployed(logical_id, identity)


@provisions("AWS::Logs::LogGroup")
def _log_group(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    name = props.get("LogGroupName", f"/starling/{logical_id}")
    p.client("logs").create_log_group(logGroupName=name)
    p.template.deployed(logical_id, name, Arn=p.arn("logs", f"log-group:{name}:*"))


@provisions("AWS::Lambda::LayerVersion")
def _layer(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    # The layer's code is the installed `starling` package in this process.
    p.template.deployed(logical_id, p.arn("lambda", f"layer:{logical_id}:1"))


@provisions("AWS::ApiGatewayV2::Api")
def _http_api(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    p.template.deployed(logical_id, logical_id.lower()[:10], ApiEndpoint=p.api_url)


@provisions("AWS::Logs::SubscriptionFilter")
def _subscription_filter(p: Provisioning, logical_id: str, props: dict[str, Any]) -> None:
    # moto forwards every event of the group (it does not apply FilterPattern); readers skip other lines.
    # To a function, the local cloud delivers them asynchronously (infra/local/subscriptions.py).
    p.client("logs").put_subscription_filter(
        logGroupName=props["LogGroupName"],
        filterName=props.get("FilterName", logical_id),
        filterPattern=props.get("FilterPattern", ""),
        destinationArn=props["DestinationArn"],
        **({"roleArn": props["RoleArn"]} if "RoleArn" in props else {}),
    )
    p.template.deployed(logical_id, logical_id)
