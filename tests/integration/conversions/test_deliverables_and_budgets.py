"""Posts, gifts, fees and campaign budgets on the local cloud over HTTP: posts checked and decided, their
fees, gifts and commissions recorded as cost accruals against a campaign's budget, over_budget at 100%, one
warning at 80% (an email through SES on moto and `campaign.budget_warning` on the bus), the daily fee run."""

from __future__ import annotations

import calendar
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from infra.local.cloud import LocalCloud
from infra.local.gateway import sent_emails
from tests.integration.conftest import new_brand
from tests.integration.conversions.conftest import click_id, key_with_role, order, partner, record
from tests.support import ApiClient

POST_TERMS = {"currency": "USD", "per_post": {"amount": 5000, "posts": 2}}
TODAY = date.today()


def campaign(api: ApiClient, key: str, budget: int | None) -> str:
    body: dict[str, Any] = {"name": "Spring drop", "starts_on": "2026-01-01"}
    if budget is not None:
        body["budget"] = {"amount": budget, "currency": "USD"}
    answer = api.call("POST", "/v1/campaigns", key, body)
    assert answer.status == 201, answer.text
    return str(answer.body["campaign_id"])


def post(api: ApiClient, key: str, partner_id: str, caption: str, **extra: Any) -> Any:
    body = {"partner_id": partner_id, "url": "https://www.instagram.com/p/C1a2b3/", "platform": "instagram",
            "caption": caption, **extra}  # fmt: skip
    return api.call("POST", "/v1/deliverables", key, body)


def gift(api: ApiClient, key: str, partner_id: str, value: int, **extra: Any) -> Any:
    body = {
        "product": "Linen shirt",
        "value": value,
        "currency": "USD",
        "given_on": TODAY.isoformat(),
        **extra,
    }
    return api.call("POST", f"/v1/partners/{partner_id}/gifts", key, body)


def test_a_post_is_checked_and_each_approved_one_earns_its_fee_up_to_the_posts_paid_for(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a partner paid $50 a post for two posts, with the coupon MAYA10, and a manager
    key = brand["api_key"]
    maya = partner(api, key, POST_TERMS, coupon_codes=["MAYA10"])["partner_id"]
    manager = key_with_role(api, key, "manager")
    # When three posts are submitted: two that pass every check, one without a disclosure or the coupon
    good = [post(api, key, maya, f"Morning routine #ad, code maya10 ({n})") for n in (1, 2)]
    bad = post(api, key, maya, "Morning routine, guaranteed results")
    # Then each check is shown with its result
    assert [g.status for g in good] == [201, 201] and bad.status == 201, bad.text
    assert [(c["name"], c["passed"]) for c in good[0].body["checks"]] == [
        ("disclosure", True), ("banned_words", True), ("link_or_coupon", True),
    ]  # fmt: skip
    assert [c["passed"] for c in bad.body["checks"]] == [False, True, False]
    assert (good[0].body["status"], good[0].body["passed"], bad.body["passed"]) == ("submitted", True, False)
    waiting = api.call("GET", "/v1/deliverables?status=submitted", key).body["items"]
    assert {d["deliverable_id"] for d in waiting} == {d.body["deliverable_id"] for d in (*good, bad)}
    # When the manager approves all three
    decided = [
        api.call("POST", f"/v1/deliverables/{d.body['deliverable_id']}/approve", manager, {"note": "ok"})
        for d in (*good, bad)
    ]
    # Then the first two earn $50 each, the third nothing (the contract pays for two)
    assert [d.status for d in decided] == [200, 200, 200], decided[0].text
    assert [d.body["fee"]["amount"] for d in decided] == [5000, 5000, 0]
    assert [d.body["fee"]["note"] for d in decided] == [
        "post 1 of 2",
        "post 2 of 2",
        "all 2 paid posts already approved",
    ]
    # And the fees are cost accruals of kind per_post, payable
    fees = api.call("GET", f"/v1/accruals?kind=per_post&partner_id={maya}", key).body["items"]
    assert sorted((f["amount"], f["state"], f["payable"]) for f in fees) == [(5000, "accrued", True)] * 2
    assert {f["source"] for f in fees} == {d.body["deliverable_id"] for d in decided[:2]}
    # And a post decided already cannot be decided again
    again = api.call("POST", f"/v1/deliverables/{good[0].body['deliverable_id']}/approve", manager, {})
    assert again.status == 409, again.text


def test_a_rejection_needs_a_reason_and_the_brand_s_banned_words_and_disclosures_apply(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    maya = partner(api, key, POST_TERMS, coupon_codes=["MAYA10"])["partner_id"]
    # Given the brand's own disclosure and banned words
    settings = {"disclosures": ["#werbung"], "banned_words": ["cure"]}
    assert api.call("PATCH", "/v1/program-settings", key, settings).status == 200
    checked = post(api, key, maya, "#Werbung this will cure you MAYA10").body
    assert [(c["name"], c["passed"]) for c in checked["checks"]][:2] == [
        ("disclosure", True),
        ("banned_words", False),
    ]
    path = f"/v1/deliverables/{checked['deliverable_id']}/reject"
    # When it is rejected without a reason, then with one
    assert api.call("POST", path, key, {}).status == 422
    assert api.call("POST", path, key, {"reason": ""}).status == 422
    rejected = api.call("POST", path, key, {"reason": "Please remove 'cure'"})
    # Then the reason is kept and no fee accrued
    assert (rejected.status, rejected.body["status"], rejected.body["reason"]) == (
        200,
        "rejected",
        "Please remove 'cure'",
    )
    assert api.call("GET", f"/v1/accruals?partner_id={maya}", key).body["items"] == []


def test_posts_refuse_bad_input_another_brand_and_roles_without_the_right(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    maya = partner(api, key, POST_TERMS, coupon_codes=["MAYA10"])["partner_id"]
    submitted = post(api, key, maya, "#ad MAYA10").body["deliverable_id"]
    other = new_brand(cloud)["api_key"]
    viewer, finance = key_with_role(api, key, "viewer"), key_with_role(api, key, "finance")
    # A second brand's key finds none of it
    assert api.call("GET", f"/v1/deliverables/{submitted}", other).status == 404
    assert api.call("POST", f"/v1/deliverables/{submitted}/approve", other, {}).status == 404
    assert post(api, other, maya, "#ad").status == 404
    assert api.call("GET", "/v1/deliverables", other).body["items"] == []
    # A viewer and finance may read but not decide
    assert api.call("GET", "/v1/deliverables", viewer).status == 200
    for role_key in (viewer, finance):
        assert api.call("POST", f"/v1/deliverables/{submitted}/approve", role_key, {}).status == 403
        assert (
            api.call("POST", f"/v1/deliverables/{submitted}/reject", role_key, {"reason": "x"}).status == 403
        )
    # Bad input is a 4xx naming the field; nothing is recorded
    bad = post(api, key, maya, "#ad", platform="myspace")
    assert (bad.status, list(bad.body["error"]["details"])) == (422, ["platform"])
    assert post(api, key, maya, "#ad", url="ftp://x").status == 422
    assert post(api, key, maya, "#ad", campaign_id="cmp_0000000000000000").status == 422
    assert api.call("GET", "/v1/deliverables?status=lost", key).status == 422
    assert api.call("POST", "/v1/deliverables/dlv_nope/approve", key, {}).status == 404
    assert len(api.call("GET", "/v1/deliverables", key).body["items"]) == 1


def test_gifts_are_recorded_per_partner_as_costs_never_payable(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    key = brand["api_key"]
    maya = partner(api, key)["partner_id"]
    recorded = gift(api, key, maya, 4500, product_id="prd_shirt")
    assert recorded.status == 201, recorded.text
    assert (recorded.body["kind"], recorded.body["amount"], recorded.body["payable"]) == (
        "gifting",
        4500,
        False,
    )
    listed = api.call("GET", f"/v1/partners/{maya}/gifts", key).body["items"]
    assert [g["accrual_id"] for g in listed] == [recorded.body["accrual_id"]]
    # Bad input, another brand, a viewer
    assert gift(api, key, maya, 0).status == 422
    assert gift(api, key, maya, 100, given_on=(TODAY + timedelta(days=2)).isoformat()).status == 422
    assert gift(api, key, maya, 100, currency="XXX").status == 422
    assert gift(api, key, "ptn_nope", 100).status == 404
    assert gift(api, new_brand(cloud)["api_key"], maya, 100).status == 404
    assert gift(api, key_with_role(api, key, "viewer"), maya, 100).status == 403
    assert len(api.call("GET", f"/v1/partners/{maya}/gifts", key).body["items"]) == 1


def _budget_events(cloud: LocalCloud) -> str:
    """A queue that receives the bus's `campaign.budget_warning` events."""
    bus = cloud.function_environment("ApiApiFunction")["EVENT_BUS_NAME"]
    sqs, events = cloud.client("sqs"), cloud.client("events")
    url = sqs.create_queue(QueueName=f"budget-warnings-{abs(hash(bus)) % 10**8}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="budget-warnings", EventBusName=bus,
                    EventPattern=json.dumps({"detail-type": ["campaign.budget_warning"]}))  # fmt: skip
    events.put_targets(Rule="budget-warnings", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return str(url)


def _warnings(cloud: LocalCloud, url: str, campaign_id: str) -> list[dict[str, Any]]:
    found = []
    for _ in range(5):
        messages = (
            cloud.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        )
        if not messages:
            break
        found += [json.loads(m["Body"]) for m in messages]
    return [e for e in found if e["detail"]["campaign_id"] == campaign_id]


def test_a_campaign_s_budget_warns_once_at_80_percent_and_keeps_costs_past_it_over_budget(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given a $100 campaign, the team's address, and a listener on the bus
    key = brand["api_key"]
    queue = _budget_events(cloud)
    spring = campaign(api, key, 10_000)
    team = f"team+{spring}@brand.example"
    assert api.call("PATCH", "/v1/program-settings", key, {"manager_emails": [team]}).status == 200
    maya = partner(api, key)["partner_id"]
    # When gifts of $50, $35, $15 and $1 are recorded against it
    states = [gift(api, key, maya, v, campaign_id=spring).body["state"] for v in (5000, 3500, 1500, 100)]
    # Then the first three fit (the second reaches 85%), the last is kept over budget
    assert states == ["accrued", "accrued", "accrued", "over_budget"]
    spend = api.call("GET", f"/v1/campaigns/{spring}/spend", key).body
    assert spend == {"campaign_id": spring, "budget": 10_000, "currency": "USD", "committed": 10_000,
                     "over_budget": 100, "remaining": 0, "warned": True}  # fmt: skip
    # And the team was emailed once, and one campaign.budget_warning went to the bus
    mails = [m for m in sent_emails(cloud.settings.region) if m["to"] == [team]]
    assert [m["subject"] for m in mails] == ["Budget warning: Spring drop at 85%"]
    [event] = _warnings(cloud, queue, spring)
    assert (event["source"], event["detail"]["committed"], event["detail"]["budget"]) == (
        "starling.conversions", 8500, 10_000,
    )  # fmt: skip
    # When a viewer tries to release the over-budget gift, then a manager does
    [over] = api.call("GET", f"/v1/accruals?state=over_budget&campaign_id={spring}", key).body["items"]
    path = f"/v1/accruals/{over['accrual_id']}/release"
    assert api.call("POST", path, key_with_role(api, key, "viewer")).status == 403
    assert api.call("POST", path, new_brand(cloud)["api_key"]).status == 404
    released = api.call("POST", path, key_with_role(api, key, "manager"))
    # Then it counts as committed beyond the budget, by the manager's choice, once
    assert (released.status, released.body["state"]) == (200, "released"), released.text
    assert api.call("POST", path, key).status == 409
    assert api.call("GET", f"/v1/campaigns/{spring}/spend", key).body["committed"] == 10_100


def test_a_commission_past_its_campaign_s_budget_is_over_budget_until_a_manager_releases_it(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given a $10 campaign and a 10% partner whose link is in it
    key = brand["api_key"]
    small = campaign(api, key, 1_000)
    maya = partner(api, key, {"currency": "USD", "cpa_percent": "10", "lock_days": 30})["partner_id"]
    stclid, _ = click_id(api, key, maya, small)
    # When an order of $120 earns $12
    placed = record(api, key, order(amount=12000, click_id=stclid))["commission"]
    # Then the commission is kept over budget, listed so, and its cost accrual too
    assert (placed["amount"], placed["status"]) == (1200, "over_budget")
    listed = api.call("GET", "/v1/commissions?status=over_budget", key).body["items"]
    assert [c["commission_id"] for c in listed] == [placed["commission_id"]]
    [cost] = api.call("GET", f"/v1/accruals?kind=commission&campaign_id={small}", key).body["items"]
    assert (cost["amount"], cost["state"], cost["payable"]) == (1200, "over_budget", False)
    # When a manager releases it
    manager = key_with_role(api, key, "manager")
    released = api.call("POST", f"/v1/commissions/{placed['commission_id']}/release", manager, {"note": "ok"})
    # Then it is pending like any other, and its cost is released into the campaign's spend
    assert (released.status, released.body["status"]) == (200, "pending"), released.text
    [cost] = api.call("GET", f"/v1/accruals?kind=commission&campaign_id={small}", key).body["items"]
    assert cost["state"] == "released"
    assert api.call("GET", f"/v1/campaigns/{small}/spend", key).body["committed"] == 1200


def test_concurrent_costs_never_pass_the_budget_and_the_warning_goes_once(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given a $100 campaign and the team's address
    key = brand["api_key"]
    spring = campaign(api, key, 10_000)
    team = f"team+{spring}@brand.example"
    api.call("PATCH", "/v1/program-settings", key, {"manager_emails": [team]})
    maya = partner(api, key)["partner_id"]
    # When 40 gifts of $10 are recorded at once from eight clients
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: gift(api, key, maya, 1000, campaign_id=spring), range(40)))
    # Then exactly ten fit, thirty are kept over budget, and the team was emailed once
    assert [a.status for a in answers] == [201] * 40, [a.text for a in answers if a.status != 201][:1]
    assert Counter(a.body["state"] for a in answers) == {"accrued": 10, "over_budget": 30}
    spend = api.call("GET", f"/v1/campaigns/{spring}/spend", key).body
    assert (spend["committed"], spend["over_budget"]) == (10_000, 30_000)
    assert len([m for m in sent_emails(cloud.settings.region) if m["to"] == [team]]) == 1


def test_the_daily_fee_run_accrues_flat_fees_and_prorated_retainer_months_once(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given a retainer from the 10th of the month before last, a whole unit per day of that month, and a
    # flat fee due last month
    key = brand["api_key"]
    last_month_end = TODAY.replace(day=1) - timedelta(days=1)
    before_last = (last_month_end.replace(day=1) - timedelta(days=1)).replace(day=1)
    days = calendar.monthrange(before_last.year, before_last.month)[1]
    starts_on = before_last.replace(day=10).isoformat()
    terms = {"currency": "USD", "retainer_monthly": {"amount": days * 1000, "starts_on": starts_on},
             "flat_fee": {"amount": 20000, "due_on": last_month_end.replace(day=1).isoformat()}}  # fmt: skip
    maya = partner(api, key, terms, signed_on=before_last.isoformat())["partner_id"]
    function = cloud.physical_id("ConversionsFeesFunction", "AWS::Lambda::Function")
    # When the scheduled run runs, twice
    for _ in range(2):
        answer = cloud.client("lambda").invoke(FunctionName=function, Payload=b"{}")
        assert "FunctionError" not in answer, answer["Payload"].read()
    # Then the partial first month pays its days (from the 10th: days - 9 of them), the whole month all of
    # it, the flat fee once; this month is not due yet
    fees = api.call("GET", f"/v1/accruals?partner_id={maya}", key).body["items"]
    assert sorted((f["kind"], f["amount"], f["occurred_on"]) for f in fees) == sorted([
        ("retainer_monthly", (days - 9) * 1000, before_last.replace(day=days).isoformat()),
        ("retainer_monthly", days * 1000, last_month_end.isoformat()),
        ("flat_fee", 20000, last_month_end.replace(day=1).isoformat()),
    ])  # fmt: skip
