"""What the whole stack costs a month at zero traffic: every resource billed by the hour or the month, read
from the synthesized template (synthesized here, in process, for the capture path asked for)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from bench import prices as p
from bench.capture import rollup_fixed_month, ticks_per_month


@dataclass(frozen=True)
class FixedLine:
    resource: str
    count: int
    basis: str
    dollars: float


ALARM_METRICS = "CloudWatch alarm metrics"  # counted by template_resources beside the resource types


def _metrics_read(alarm: dict[str, Any]) -> int:
    """What CloudWatch bills an alarm for: each metric it reads, so a metric-math alarm once per metric in
    its expression (its `Metrics` entries with a `MetricStat`)."""
    queries = alarm["Properties"].get("Metrics")
    return sum(1 for query in queries if "MetricStat" in query) if queries else 1


def template_resources(capture: str) -> Counter[str]:
    import aws_cdk as cdk

    from infra.app import build_app

    context = {"aws:cdk:bundling-stacks": [], "starling": json.dumps({"click_capture": capture})}
    app = cdk.App(context=context)
    _, stack = build_app(app)
    resources = app.synth().get_stack_by_name(stack.stack_name).template["Resources"].values()
    found = Counter(resource["Type"] for resource in resources)
    found[ALARM_METRICS] = sum(_metrics_read(r) for r in resources if r["Type"] == "AWS::CloudWatch::Alarm")
    return found


def fixed_month(capture: str, rollup_minutes: int = 5) -> list[FixedLine]:
    found = template_resources(capture)
    alarms, alarm_metrics = found["AWS::CloudWatch::Alarm"], found[ALARM_METRICS]
    lines = [
        FixedLine("Secrets Manager secret", found["AWS::SecretsManager::Secret"], "$0.40 a month each",
                  found["AWS::SecretsManager::Secret"] * p.SECRET_PER_MONTH),
        FixedLine("KMS customer managed key", found["AWS::KMS::Key"], "$1 a month each",
                  found["AWS::KMS::Key"] * p.KMS_KEY_PER_MONTH),
        FixedLine("CloudWatch alarm metric", alarm_metrics,
                  f"$0.10 a month each: {alarms} alarms, a metric-math alarm paying for each metric it "
                  "reads; counted in full (an account's first 10 are free)",
                  alarm_metrics * p.ALARM_PER_MONTH),
        FixedLine("CloudWatch dashboard", found["AWS::CloudWatch::Dashboard"],
                  "free as one of the account's first 3, else $3 a month (`dashboard: false` drops it)", 0.0),
        FixedLine("Kinesis stream, on demand", found["AWS::Kinesis::Stream"], "$0.04 an hour, 730 hours",
                  found["AWS::Kinesis::Stream"] * p.KINESIS_ON_DEMAND_PER_STREAM_HOUR * 730),
    ]  # fmt: skip
    if capture == "lambda":
        lines.append(
            FixedLine(
                "click rollup schedule (EventBridge rule, free; the runs are not)",
                found["AWS::Events::Rule"],
                f"{ticks_per_month(rollup_minutes):,.0f} runs a month finding nothing: invocations, ~32 ms "
                "each at 1 GB, 2 write and 3 read units each",
                rollup_fixed_month(rollup_minutes),
            )
        )
    lines.append(
        FixedLine(
            "billed per use only",
            sum(found[t] for t in ("AWS::Lambda::Function", "AWS::DynamoDB::Table", "AWS::SQS::Queue")),
            "Lambda functions, on-demand DynamoDB tables (empty: no storage), SQS queues, the HTTP API, "
            "log groups (no lines), SNS topic: $0 without traffic",
            0.0,
        )
    )
    return [line for line in lines if line.count]
