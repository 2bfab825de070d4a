"""Where creator search keeps its segments: a private S3 bucket, written only under search/ by the
functions that save creators, with the bucket's name in their environment; nothing billed by the hour."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match, Template


def _function(template: Template, logical_prefix: str) -> tuple[str, dict]:
    [(logical_id, function)] = [
        (k, v)
        for k, v in template.find_resources("AWS::Lambda::Function").items()
        if k.startswith(logical_prefix)
    ]
    return logical_id, function


def test_the_search_bucket_is_private_encrypted_tls_only_and_kept(template: Template) -> None:
    template.resource_count_is("AWS::S3::Bucket", 1)
    template.has_resource(
        "AWS::S3::Bucket",
        {
            "DeletionPolicy": "Retain",
            "Properties": Match.object_like(
                {
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                    "BucketEncryption": Match.any_value(),
                }
            ),
        },
    )
    policy = json.dumps(template.find_resources("AWS::S3::BucketPolicy"))
    assert "aws:SecureTransport" in policy


def test_the_functions_that_save_creators_reach_only_the_search_prefix(template: Template) -> None:
    for prefix in ("ApiApiFunction", "WebPublicFunction"):
        _, function = _function(template, prefix)
        environment = function["Properties"]["Environment"]["Variables"]
        assert "SEARCH_BUCKET_NAME" in environment, prefix
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        policies = [
            p for p in template.find_resources("AWS::IAM::Policy").values()
            if {"Ref": role} in p["Properties"]["Roles"]
        ]  # fmt: skip
        statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
        s3_resources = [
            json.dumps(s["Resource"])
            for s in statements
            if any(
                str(a).startswith("s3:")
                for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
            )
        ]
        assert s3_resources, prefix
        for resource in s3_resources:
            assert "/search/*" in resource or "SearchBucket" in resource, resource
        assert not any(r.endswith('"/*"]]}') for r in s3_resources)


def test_nothing_billed_by_the_hour_is_made_for_search(template: Template) -> None:
    for kind in (
        "AWS::OpenSearchService::Domain",
        "AWS::Elasticsearch::Domain",
        "AWS::OpenSearchServerless::Collection",
    ):
        template.resource_count_is(kind, 0)


def test_an_upload_under_imports_goes_to_a_queue_that_feeds_the_import_function_with_partial_failures(
    template: Template,
) -> None:
    # The bucket tells the queue about new objects under imports/ only
    [bucket] = template.find_resources("AWS::S3::Bucket").values()
    [queue_config] = bucket["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert queue_config["Event"] == "s3:ObjectCreated:*"
    assert queue_config["Filter"] == {"S3Key": {"Rules": [{"Name": "prefix", "Value": "imports/"}]}}
    # The queue lets S3 of this account send, and gives up after 5 receives to a dead-letter queue
    policies = json.dumps(template.find_resources("AWS::SQS::QueuePolicy"))
    assert "s3.amazonaws.com" in policies and "aws:SourceAccount" in policies
    # The import function reads it one message at a time, reporting failures one by one
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"BatchSize": 1, "FunctionResponseTypes": ["ReportBatchItemFailures"]},
    )
    _, function = _function(template, "CreatorImportsImportFunction")
    assert function["Properties"]["Timeout"] == 900
    assert function["Properties"]["Handler"] == "functions.imports.handler.lambda_handler"
