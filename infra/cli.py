"""`starling`: the operator's command line.

  starling dev                                   the local stack (what `make dev` runs)
  starling env                                   `export API=... KEY=... STRIPE=...` (eval it)
  starling aws ARGS...                           the project's AWS CLI, pointed at the local stack
  starling brand create NAME [--slug S] [--allowed-domain D ...]
  starling key create --brand BRAND_ID --role ROLE [--name NAME]
  starling outbox [--to EMAIL]                   the emails the local stack sent through SES
  starling time-scale [SCALE]                    show or set the share of workflow waits really slept
  starling creators import FILE                  a CSV of creators through an upload URL, with progress
  starling payout run --period YYYY-MM [--approve] a month's payout run, with progress, then its totals

`brand` and `key` work against the local stack (from .starling/local.json, the default when it exists)
or a deployed one (`--stack Starling`, read with your AWS credentials).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from infra.config import REPO_ROOT

STATE_FILE = Path(os.environ.get("STARLING_STATE_FILE") or REPO_ROOT / ".starling" / "local.json")
# The full log of `starling dev` (function output, warnings, every request), beside its state file.
DEV_LOG = STATE_FILE.parent / "dev.log"
TEMPLATE = REPO_ROOT / "cdk.out" / "Starling.template.json"


def _dev(args: argparse.Namespace) -> int:
    from infra.local import console, ports
    from infra.local.cloud import LocalCloud, LocalCloudSettings
    from infra.local.seed import seed_demo_brand

    if not TEMPLATE.exists():
        print(f"No template at {TEMPLATE}: run `make synth` first.", file=sys.stderr)
        return 2
    for port in (args.port, args.moto_port, args.stripe_port):
        if not ports.is_free(args.host, port):
            print(ports.in_use_message(args.host, port), file=sys.stderr)
            return 2
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    log = console.to_file(DEV_LOG)
    started = time.monotonic()
    cloud = LocalCloud(
        LocalCloudSettings(
            template_path=TEMPLATE,
            host=args.host,
            moto_port=args.moto_port,
            stripe_port=args.stripe_port,
            api_port=args.port,
            time_scale=args.time_scale,
            schedule_scale=args.schedule_scale,
        )
    )
    cloud.access_log = console.request_line
    cloud.start()
    demo = seed_demo_brand(cloud)
    state = {
        "api_url": cloud.api_url,
        "api_key": demo["api_key"],
        "brand_id": demo["brand_id"],
        "brand_slug": demo["slug"],
        "aws_endpoint_url": cloud.endpoint_url,
        "stripe_url": cloud.stripe_url,
        "region": cloud.settings.region,
        "tables": {
            "core": cloud.physical_id("DataCoreTable", "AWS::DynamoDB::Table"),
            "idempotency": cloud.physical_id("DataIdempotencyTable", "AWS::DynamoDB::Table"),
        },
    }
    STATE_FILE.write_text(json.dumps(state, indent=2) + "\n")
    console.say(
        f"Starling local stack is up ({time.monotonic() - started:.1f}s)\n"
        f"  API            {cloud.api_url}   (docs: {cloud.api_url}/docs)\n"
        f"  AWS endpoint   {cloud.endpoint_url}   (./starling aws ...)\n"
        f"  Stripe (local) {cloud.stripe_url}   (the payouts' stand-in: README, Payouts)\n"
        f"  Demo brand     {demo['brand_id']} ({demo['slug']})\n"
        f"  Owner API key  {demo['api_key']}\n"
        f"  Written to     {STATE_FILE}\n"
        f"  Full log       {log}\n"
        f"Try: curl -H 'Authorization: Bearer {demo['api_key']}' {cloud.api_url}/v1/me\n"
        "One line per request follows (Ctrl-C stops the stack).",
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    # Best effort: servers with open keep-alive connections may not shut down promptly; exit regardless.
    threading.Thread(target=cloud.stop, daemon=True).start()
    time.sleep(0.5)
    sys.stdout.flush()
    os._exit(0)


def _local_state() -> dict[str, Any]:
    if not STATE_FILE.exists():
        raise SystemExit(f"No local stack ({STATE_FILE} is missing): start one with `make dev`.")
    state: dict[str, Any] = json.loads(STATE_FILE.read_text())
    return state


def _env(args: argparse.Namespace) -> int:
    state = _local_state()
    print(f"export API={shlex.quote(state['api_url'])}")
    print(f"export KEY={shlex.quote(state['api_key'])}")
    print(f"export BRAND={shlex.quote(state['brand_id'])}")
    if "stripe_url" in state:
        print(f"export STRIPE={shlex.quote(state['stripe_url'])}")
    return 0


def _aws(args: argparse.Namespace) -> int:
    """The AWS CLI installed in the project's environment, with the local stack's endpoint, region and a
    local key (any key works on moto)."""
    state = _local_state()
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": state["aws_endpoint_url"],
        "AWS_DEFAULT_REGION": state["region"],
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    aws = str(Path(sys.executable).parent / "aws")
    command = [aws, "--endpoint-url", state["aws_endpoint_url"], *args.args]
    return subprocess.run(command, env=env, check=False).returncode  # noqa: S603 (the project's own aws)


def _use_target(args: argparse.Namespace) -> None:
    """Point the data layer at the chosen stack before it is imported."""
    if args.stack:
        import boto3

        stack = boto3.client("cloudformation").describe_stacks(StackName=args.stack)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        os.environ["TABLE_NAME"] = outputs["CoreTableName"]
        return
    if not STATE_FILE.exists():
        raise SystemExit(
            "No local stack: start one with `make dev`, or pass --stack NAME for a deployed one."
        )
    state = _local_state()
    os.environ["TABLE_NAME"] = state["tables"]["core"]
    os.environ["IDEMPOTENCY_TABLE_NAME"] = state["tables"]["idempotency"]
    os.environ["AWS_ENDPOINT_URL"] = state["aws_endpoint_url"]
    os.environ.setdefault("AWS_DEFAULT_REGION", state["region"])
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")


def _brand_create(args: argparse.Namespace) -> int:
    _use_target(args)
    from starling.identity.repository import DynamoIdentityRepository
    from starling.identity.service import create_brand

    settings: dict[str, Any] = {}
    if args.allowed_domain:
        settings["allowed_domains"] = args.allowed_domain
    created = create_brand(DynamoIdentityRepository(), args.name, args.slug, **settings)
    print(
        json.dumps(
            {
                "brand_id": created.brand.brand_id,
                "slug": created.brand.slug,
                "owner_key_id": created.owner_key.key.key_id,
                "owner_key": created.owner_key.raw_key,
            },
            indent=2,
        )
    )
    return 0


def _key_create(args: argparse.Namespace) -> int:
    _use_target(args)
    from starling.identity.model import Role
    from starling.identity.repository import DynamoIdentityRepository
    from starling.identity.service import create_api_key

    created = create_api_key(DynamoIdentityRepository(), args.brand, args.name or args.role, Role(args.role))
    print(
        json.dumps(
            {"key_id": created.key.key_id, "role": created.key.role.value, "key": created.raw_key}, indent=2
        )
    )
    return 0


def read_outbox(api_url: str) -> list[dict[str, Any]]:
    """Every email the local stack sent through SES (on moto), oldest first."""
    import requests

    answer: list[dict[str, Any]] = requests.get(f"{api_url}/_local/outbox", timeout=10).json()
    return answer


def _time_scale(args: argparse.Namespace) -> int:
    """Show, or set while it runs, the local stack's time scale (Wait states, retries, token timeouts)."""
    import requests

    url = f"{_local_state()['api_url']}/_local/time-scale"
    if args.scale is None:
        answer = requests.get(url, timeout=10)
    else:
        answer = requests.put(url, json={"time_scale": args.scale}, timeout=10)
    print(answer.text)
    return 0 if answer.ok else 1


def _outbox(args: argparse.Namespace) -> int:
    messages = read_outbox(_local_state()["api_url"])
    if args.to:
        messages = [m for m in messages if args.to in m["to"]]
    messages = messages[-args.last :]
    if args.json:
        print(json.dumps(messages, indent=2))
        return 0
    for m in messages:
        print(f"--- {m['id']}")
        print(f"From: {m['from']}")
        print(f"To: {', '.join(m['to'])}")
        print(f"Subject: {m['subject']}")
        print()
        print(m["body"])
        print()
    print(f"{len(messages)} email(s)")
    return 0


def _creators_import(args: argparse.Namespace) -> int:
    """The brand API at $API with $KEY when set, else the local stack's demo brand."""
    from infra.creator_import import import_file

    api_url, key = os.environ.get("API"), os.environ.get("KEY")
    if not (api_url and key):
        state = _local_state()
        api_url, key = state["api_url"], state["api_key"]
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no file {path}", file=sys.stderr)
        return 2
    return import_file(api_url.rstrip("/"), key, path)


def _payout_run(args: argparse.Namespace) -> int:
    """The brand API at $API with $KEY (finance or owner) when set, else the local stack's demo brand."""
    from infra.payout_run import run_payout

    api_url, key = os.environ.get("API"), os.environ.get("KEY")
    if not (api_url and key):
        state = _local_state()
        api_url, key = state["api_url"], state["api_key"]
    return run_payout(api_url.rstrip("/"), key, args.period, args.approve)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="starling", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = root.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run the local stack")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    dev.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "4566")))
    dev.add_argument("--stripe-port", type=int, default=int(os.environ.get("STRIPE_PORT", "12111")))
    dev.add_argument("--time-scale", type=float, default=1.0, help="share of Wait/Retry time really slept")
    dev.add_argument(
        "--schedule-scale",
        type=float,
        default=0.1,
        help="share of a scheduled rule's period between its runs",
    )
    dev.set_defaults(run=_dev)

    env = commands.add_parser("env", help="print `export API=... KEY=... BRAND=...` for the local stack")
    env.set_defaults(run=_env)

    aws = commands.add_parser("aws", help="the AWS CLI against the local stack", add_help=False)
    aws.add_argument("args", nargs=argparse.REMAINDER)
    aws.set_defaults(run=_aws)

    outbox = commands.add_parser("outbox", help="emails the local stack sent (SES on moto)")
    outbox.add_argument("--to", help="only those to this address")
    outbox.add_argument("--last", type=int, default=20)
    outbox.add_argument("--json", action="store_true")
    outbox.set_defaults(run=_outbox)

    scale = commands.add_parser("time-scale", help="show or set the local stack's time scale while it runs")
    scale.add_argument("scale", nargs="?", type=float, help="e.g. 0.000001: 14 days pass in about a second")
    scale.set_defaults(run=_time_scale)
    creators = commands.add_parser("creators", help="creators").add_subparsers(dest="action", required=True)
    creators_import = creators.add_parser(
        "import", help="import a CSV through an upload URL ($API and $KEY, else the local stack)"
    )
    creators_import.add_argument("file")
    creators_import.set_defaults(run=_creators_import)

    payout = commands.add_parser("payout", help="payouts").add_subparsers(dest="action", required=True)
    payout_run = payout.add_parser(
        "run", help="start a month's payout run and follow it ($API and $KEY, else the local stack)"
    )
    payout_run.add_argument("--period", required=True, help="a month that has ended, YYYY-MM")
    payout_run.add_argument("--approve", action="store_true", help="approve it once it waits for finance")
    payout_run.set_defaults(run=_payout_run)

    target = argparse.ArgumentParser(add_help=False)
    target.add_argument("--stack", help="a deployed stack's name (default: the local stack)")

    brand = commands.add_parser("brand", help="brands").add_subparsers(dest="action", required=True)
    brand_create = brand.add_parser("create", parents=[target], help="create a brand and its owner key")
    brand_create.add_argument("name")
    brand_create.add_argument("--slug")
    brand_create.add_argument("--allowed-domain", action="append", help="a destination domain (repeatable)")
    brand_create.set_defaults(run=_brand_create)

    key = commands.add_parser("key", help="API keys").add_subparsers(dest="action", required=True)
    key_create = key.add_parser("create", parents=[target], help="create an API key; it is shown once")
    key_create.add_argument("--brand", required=True)
    key_create.add_argument("--role", required=True, choices=["owner", "manager", "finance", "viewer"])
    key_create.add_argument("--name")
    key_create.set_defaults(run=_key_create)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except Exception as exc:  # a clear message, not a traceback, for the operator
        from starling.shared.errors import StarlingError

        if isinstance(exc, StarlingError):
            print(f"error: {exc.message}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
