"""Public AWS prices, us-east-1, on-demand, as `make bench` uses them for the cost per million redirects.

Taken on 2026-11-23 from the public pricing pages named beside each number (they are also the figures the
issue quotes); change them here only: every cost the bench prints is computed from this table.
"""

from __future__ import annotations

# aws.amazon.com/api-gateway/pricing: HTTP APIs, first 300 million requests a month (per 512 KB chunk).
APIGW_HTTP_PER_MILLION_REQUESTS = 1.00

# aws.amazon.com/lambda/pricing: requests, and duration on Arm (Graviton2), first 7.5 billion GB-s a month.
LAMBDA_PER_MILLION_REQUESTS = 0.20
LAMBDA_ARM_PER_GB_SECOND = 0.0000133334

# aws.amazon.com/dynamodb/pricing/on-demand: one write request unit per 1 KB written, one read request
# unit per 4 KB read strongly consistent (half a unit eventually consistent).
DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625
DYNAMODB_PER_MILLION_READ_UNITS = 0.125
# Standard table class storage, per GB-month (the first 25 GB a month are free; not counted here).
DYNAMODB_PER_GB_MONTH = 0.25

# aws.amazon.com/secrets-manager/pricing: per secret per month. aws.amazon.com/kms/pricing: per customer
# managed key per month. aws.amazon.com/cloudwatch/pricing: per standard alarm metric and per dashboard a
# month (10 alarm metrics and 3 dashboards free per account).
SECRET_PER_MONTH = 0.40
KMS_KEY_PER_MONTH = 1.00
ALARM_PER_MONTH = 0.10
DASHBOARD_PER_MONTH = 3.00

# aws.amazon.com/sqs/pricing: standard queues, per million requests (each 64 KB chunk is one request).
SQS_PER_MILLION_REQUESTS = 0.40

# aws.amazon.com/cloudwatch/pricing: Logs, standard log class, data ingested.
CLOUDWATCH_LOGS_PER_GB_INGESTED = 0.50

# aws.amazon.com/kinesis/data-streams/pricing: on-demand mode. Data in is each record's size rounded up to
# the next 1 KB; data out (retrieval) per GB; plus an hourly charge per stream, whatever the traffic.
KINESIS_ON_DEMAND_PER_GB_INGESTED = 0.08
KINESIS_ON_DEMAND_PER_GB_RETRIEVED = 0.04
KINESIS_ON_DEMAND_PER_STREAM_HOUR = 0.04

GB = 1024**3
