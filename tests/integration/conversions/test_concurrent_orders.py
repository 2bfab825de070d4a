"""Orders at the same moment. Over the local cloud's HTTP API (many clients at once), and straight on the
service from many threads, each thread its own instance with its own clients, as two Lambda environments
would be: the local cloud serialises one function's invocations (one execution environment), so only the
second form makes the writes really race on DynamoDB."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from infra.local import environ
from infra.local.cloud import LocalCloud
from starling.conversions.ingestion import GuardedIngestion
from starling.conversions.service import ConversionsService, order_in
from starling.shared.settings import Settings
from tests.integration.conversions.conftest import TERMS, order, partner
from tests.support import ApiClient

CAPPED = {**TERMS, "cap": 10000}  # $100 a month; each $100 order earns $10, so 10 orders fill it


def _month(cloud: LocalCloud, brand_id: str, partner_id: str) -> dict[str, int]:
    table = cloud.function_environment("ApiApiFunction")["TABLE_NAME"]
    month = datetime.now(UTC).strftime("%Y-%m")
    key = {"pk": {"S": f"BRAND#{brand_id}"}, "sk": {"S": f"MONTH#{partner_id}#{month}"}}
    item = cloud.client("dynamodb").get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    return {name: int(item[name]["N"]) for name in ("sales", "commission", "version")}


def test_fifty_clients_posting_the_same_order_record_it_once(
    cloud: LocalCloud, brand: dict[str, str]
) -> None:
    # Given a partner with a coupon, and fifty clients holding the same order
    key = brand["api_key"]
    maya = partner(ApiClient(cloud.api_url), key, TERMS, coupon_codes=["SAME"])
    body = order(order_id="o-same-moment", amount=10000, coupon_code="SAME")

    def post(_: int) -> tuple[int, str]:
        answer = ApiClient(cloud.api_url).call("POST", "/v1/conversions", key, body)
        return answer.status, answer.text

    # When they all post it at once
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(post, range(50)))
    # Then one answer recorded it, every other one got that same record, and the month counted it once
    assert Counter(status for status, _ in answers) == {201: 1, 200: 49}
    assert len({text for _, text in answers}) == 1
    assert _month(cloud, brand["brand_id"], maya["partner_id"])["sales"] == 10000


def test_two_hundred_orders_of_a_capped_partner_at_once_never_pass_the_cap(
    cloud: LocalCloud, brand: dict[str, str]
) -> None:
    # Given a partner capped at $100 of commission a month
    key = brand["api_key"]
    maya = partner(ApiClient(cloud.api_url), key, CAPPED, coupon_codes=["CAP200"])

    def post(n: int) -> int:
        body = order(order_id=f"o-cap-{n}", amount=10000, coupon_code="CAP200")
        answer = ApiClient(cloud.api_url).call("POST", "/v1/conversions", key, body)
        assert answer.status == 201, answer.text
        return int(answer.body["commission"]["amount"])

    # When 200 orders of $100 arrive at once, from eight clients (the local cloud runs one environment of the
    # function, so a deeper queue would only test how long a request waits for it)
    with ThreadPoolExecutor(max_workers=8) as pool:
        earned = list(pool.map(post, range(200)))
    # Then together they earn exactly the cap, and the month says so
    assert sum(earned) == 10000
    month = _month(cloud, brand["brand_id"], maya["partner_id"])
    assert (month["sales"], month["commission"]) == (200 * 10000, 10000)


@pytest.fixture()
def instances(cloud: LocalCloud) -> Iterator[list[GuardedIngestion]]:
    """Four independent instances of ingestion, as four Lambda environments would hold."""
    env = cloud.function_environment("ApiApiFunction")
    with environ.install().invocation(env):
        settings = Settings.from_env(env)
        made = []
        for _ in range(4):
            service = ConversionsService.from_settings(settings)
            made.append(GuardedIngestion(service, settings.idempotency_table_name))
        yield made


def _on_instances(
    cloud: LocalCloud, instances: list[GuardedIngestion], brand_id: str, bodies: list[dict]
) -> list:
    env = cloud.function_environment("ApiApiFunction")

    def run(n: int) -> tuple:
        with environ.install().invocation(env):
            body = bodies[n]
            conversion, recorded = instances[n % len(instances)].record(
                brand_id, order_in(body, datetime.now(UTC))
            )
            return conversion, recorded

    with ThreadPoolExecutor(max_workers=len(instances)) as pool:
        return list(pool.map(run, range(len(bodies))))


def test_the_same_order_on_many_instances_at_the_same_moment_is_recorded_once(
    cloud: LocalCloud, brand: dict[str, str], instances: list[GuardedIngestion]
) -> None:
    # Given a partner, and the same order arriving on four instances at once, fifty times
    maya = partner(ApiClient(cloud.api_url), brand["api_key"], TERMS, coupon_codes=["RACE"])
    body = order(order_id="o-race", amount=10000, coupon_code="RACE")
    # When each instance records it
    outcomes = _on_instances(cloud, instances, brand["brand_id"], [body] * 50)
    # Then exactly one recorded it, all answer the same commission, and the month counted it once
    assert sum(1 for _, recorded in outcomes if recorded) == 1
    assert {c.commission.amount for c, _ in outcomes} == {1000}
    assert _month(cloud, brand["brand_id"], maya["partner_id"])["sales"] == 10000


def test_capped_orders_racing_on_many_instances_never_pass_the_cap(
    cloud: LocalCloud, brand: dict[str, str], instances: list[GuardedIngestion]
) -> None:
    # Given a capped partner, and 200 different orders spread over four instances at once
    maya = partner(ApiClient(cloud.api_url), brand["api_key"], CAPPED, coupon_codes=["RACECAP"])
    bodies = [order(order_id=f"o-racecap-{n}", amount=10000, coupon_code="RACECAP") for n in range(200)]
    # When they are all recorded
    outcomes = _on_instances(cloud, instances, brand["brand_id"], bodies)
    # Then they earn the cap exactly, all 200 count towards the month's sales, and no order passed it
    assert all(recorded for _, recorded in outcomes)
    assert sum(c.commission.amount for c, _ in outcomes) == 10000
    month = _month(cloud, brand["brand_id"], maya["partner_id"])
    assert (month["sales"], month["commission"]) == (200 * 10000, 10000)
