"""The one place that makes the logger, metrics and tracer every function uses."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
metrics = Metrics(namespace="Starling")
tracer = Tracer()
