"""Integration tests run the real handlers on moto: the synthesized template deployed by the local cloud,
in this process, on free ports."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from infra.local.cloud import LocalCloud, LocalCloudSettings
from infra.local.seed import seed_demo_brand
from infra.local.template import Template
from tests.support import ApiClient

TEMPLATE = Path(__file__).resolve().parents[2] / "cdk.out" / "Starling.template.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def cloud() -> Iterator[LocalCloud]:
    if not TEMPLATE.exists():
        pytest.fail(f"{TEMPLATE} is missing: run `make synth` first (make test does).")
    local = LocalCloud(
        LocalCloudSettings(
            template_path=TEMPLATE, moto_port=free_port(), api_port=free_port(), time_scale=0.01
        )
    ).start()
    yield local
    local.stop()


@pytest.fixture()
def brand(cloud: LocalCloud) -> dict[str, str]:
    """A fresh brand with its owner key, so every test has its own tenant."""
    return new_brand(cloud)


def new_brand(cloud: LocalCloud) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:10]
    return seed_demo_brand(cloud, name=f"Brand {suffix}", slug=f"brand-{suffix}")


def apply(api: ApiClient, slug: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    """Send the public application form of the brand `slug`, as a phone's browser does."""
    return api.call(
        "POST",
        f"/apply/{slug}",
        raw=urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def network_creator(api: ApiClient, cloud: LocalCloud) -> dict[str, str]:
    """A creator who applied to a fresh brand A and let other brands find them (each call a new one):
    `creator_id`, `handle`, `email`, and A's `owner_key` and `slug`."""
    suffix = uuid.uuid4().hex[:8]
    owner = new_brand(cloud)
    slug = str(api.call("GET", "/v1/brand", owner["api_key"]).body["slug"])
    form = {"name": "Zoë Martin", "email": f"zoe.{suffix}@gmail.com", "platform_1": "tiktok",
            "handle_1": f"zoe.{suffix}", "followers_1": "15000", "niches": "food", "country": "FR",
            "pitch": "I cook.", "accept_terms": "on", "network_opt_in": "on"}  # fmt: skip
    assert apply(api, slug, form).status == 200
    [partner] = api.call("GET", "/v1/partners", owner["api_key"]).body["items"]
    return {"creator_id": partner["creator_id"], "handle": form["handle_1"], "email": form["email"],
            "owner_key": owner["api_key"], "slug": slug}  # fmt: skip


@pytest.fixture()
def api(cloud: LocalCloud) -> ApiClient:
    return ApiClient(cloud.api_url)


@pytest.fixture(scope="session")
def proof_template(cloud: LocalCloud, tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The test-only proof stack (state machine, queue with DLQ), deployed once onto the running cloud."""
    # CDK (and its node runtime) is loaded only by the worker that needs the proof stack, not at collection
    from tests.integration.local_cloud.proof.stack import synth_proof_stack

    return cloud.deploy(synth_proof_stack(tmp_path_factory.mktemp("proof")))
