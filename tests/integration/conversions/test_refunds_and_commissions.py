"""Refunds, fraud holds, the commissions list and reviews, and tenancy, on the local cloud over HTTP."""

from __future__ import annotations

from infra.local.cloud import LocalCloud
from tests.integration.conftest import new_brand
from tests.integration.conversions.conftest import TERMS, ago, click_id, key_with_role, order, partner, record
from tests.support import ApiClient


def test_the_same_order_id_again_answers_the_first_record(api: ApiClient, brand: dict[str, str]) -> None:
    # Given an order recorded with a coupon
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["TWICE"])
    first = record(api, key, order(order_id="o-twice", amount=5000, coupon_code="TWICE"))
    # When the shop sends the same order id again, even with another amount
    again = record(api, key, order(order_id="o-twice", amount=9999, coupon_code="TWICE"), status=200)
    # Then the first record is the answer, and the partner's month counted it once
    assert again == first
    listed = api.call("GET", "/v1/commissions", key).body["items"]
    assert [c["order_id"] for c in listed] == ["o-twice"]


def test_refunds_reverse_the_commission_in_proportion_once_each(
    api: ApiClient, brand: dict[str, str]
) -> None:
    # Given an order of $120 that earned $12
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["REFUND"])
    placed = record(api, key, order(amount=12000, coupon_code="REFUND"))
    path = f"/v1/conversions/{placed['order_id']}/refunds"
    # When a third is refunded, twice with the same refund id
    first = api.call("POST", path, key, {"refund_id": "r-1", "amount": 4000})
    repeat = api.call("POST", path, key, {"refund_id": "r-1", "amount": 4000})
    # Then it reversed a third of the commission once
    assert first.status == 200, first.text
    assert repeat.body == first.body
    assert first.body["refunded"] == 4000
    assert (first.body["commission"]["reversed"], first.body["commission"]["earned"]) == (-400, 800)
    # And the same refund id with another amount is a conflict
    assert api.call("POST", path, key, {"refund_id": "r-1", "amount": 1}).status == 409
    # And a refund above what remains is refused, with nothing written
    above = api.call("POST", path, key, {"refund_id": "r-2", "amount": 8001})
    assert above.status == 422, above.text
    # And refunding the rest reverses the commission exactly, and it shows as reversed
    rest = api.call("POST", path, key, {"refund_id": "r-3", "amount": 8000})
    assert rest.body["commission"]["earned"] == 0
    assert rest.body["commission"]["status"] == "reversed"
    assert [r["refund_id"] for r in rest.body["refunds"]] == ["r-1", "r-3"]


def test_a_refund_of_an_unknown_order_or_a_bad_amount_is_refused(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    assert (
        api.call("POST", "/v1/conversions/nope/refunds", key, {"refund_id": "r", "amount": 5}).status == 404
    )
    placed = record(api, key, order())
    path = f"/v1/conversions/{placed['order_id']}/refunds"
    assert api.call("POST", path, key, {"refund_id": "r", "amount": 0}).status == 422
    assert api.call("POST", path, key, {"refund_id": "", "amount": 5}).status == 422


def test_a_self_referral_is_held_and_a_manager_releases_it(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a partner whose own address buys through her own coupon
    key = brand["api_key"]
    maya = partner(api, key, TERMS, email="maya@studio-maya.com", coupon_codes=["SELF"])
    manager = key_with_role(api, key, "manager")
    held = record(api, key, order(coupon_code="SELF", customer_email="Maya+shop@studio-maya.com"))
    # Then the commission is on hold with the reason
    commission = held["commission"]
    assert (commission["status"], commission["hold_reason"]) == ("on_hold", "self_referral")
    listed = api.call("GET", f"/v1/commissions?status=on_hold&partner_id={maya['partner_id']}", key).body
    assert [c["commission_id"] for c in listed["items"]] == [commission["commission_id"]]
    # When a manager releases it with a note
    released = api.call(
        "POST", f"/v1/commissions/{commission['commission_id']}/release", manager, {"note": "Her sister"}
    )
    # Then it is pending again, with who released it and why
    assert released.status == 200, released.text
    assert (released.body["status"], released.body["review_note"]) == ("pending", "Her sister")
    # And a commission not on hold cannot be released or rejected again
    again = api.call("POST", f"/v1/commissions/{commission['commission_id']}/reject", manager, {"note": "x"})
    assert again.status == 409, again.text


def test_disposable_addresses_and_a_customer_of_two_partners_are_held(
    api: ApiClient, brand: dict[str, str]
) -> None:
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["FIRST"])
    partner(api, key, TERMS, coupon_codes=["SECOND"])
    throwaway = record(api, key, order(coupon_code="FIRST", customer_email="x@mailinator.com"))
    assert throwaway["commission"]["hold_reason"] == "disposable_email"
    record(api, key, order(coupon_code="FIRST", customer_ref="cust-77"))
    second = record(api, key, order(coupon_code="SECOND", customer_ref="cust-77"))
    assert second["commission"]["hold_reason"] == "duplicate_customer"


def test_a_rejected_commission_gives_its_room_back_to_the_cap(api: ApiClient, brand: dict[str, str]) -> None:
    # Given a partner capped at $10 a month whose held order took it all
    key = brand["api_key"]
    partner(api, key, {**TERMS, "cap": 1000}, coupon_codes=["CAPPED"])
    held = record(api, key, order(amount=20000, coupon_code="CAPPED", customer_email="a@mailinator.com"))
    assert (held["commission"]["amount"], held["commission"]["cut"]) == (1000, 1000)
    # When a manager rejects it
    rejected = api.call(
        "POST", f"/v1/commissions/{held['commission']['commission_id']}/reject", key, {"note": "Fake shopper"}
    )
    assert rejected.status == 200, rejected.text
    assert (rejected.body["status"], rejected.body["earned"]) == ("rejected", 0)
    # Then the next order of the month earns again
    assert record(api, key, order(amount=5000, coupon_code="CAPPED"))["commission"]["amount"] == 500


def test_the_commissions_list_filters_and_pages(api: ApiClient, brand: dict[str, str]) -> None:
    # Given two partners' orders, one approved already (its lock is over) and one pending
    key = brand["api_key"]
    old = partner(api, key, {**TERMS, "lock_days": 0}, coupon_codes=["NOLOCK"])
    new = partner(api, key, TERMS, coupon_codes=["LOCKED"])
    approved = record(api, key, order(coupon_code="NOLOCK", occurred_at=ago(days=2)))
    pending = record(api, key, order(coupon_code="LOCKED"))
    record(api, key, order())  # unattributed: no commission to list

    def ids(query: str) -> list[str]:
        answer = api.call("GET", f"/v1/commissions{query}", key)
        assert answer.status == 200, answer.text
        return [c["order_id"] for c in answer.body["items"]]

    assert ids("") == [pending["order_id"], approved["order_id"]]
    assert ids("?status=approved") == [approved["order_id"]]
    assert ids("?status=pending") == [pending["order_id"]]
    assert ids(f"?partner_id={old['partner_id']}") == [approved["order_id"]]
    assert ids(f"?partner_id={new['partner_id']}&status=approved") == []
    page = api.call("GET", "/v1/commissions?limit=1", key).body
    following = api.call("GET", f"/v1/commissions?limit=1&cursor={page['next_cursor']}", key).body
    assert [c["order_id"] for c in page["items"] + following["items"]] == ids("")
    assert api.call("GET", "/v1/commissions?status=lost", key).status == 422
    assert api.call("GET", "/v1/commissions?colour=red", key).status == 422


def test_a_campaign_click_is_listed_under_its_campaign(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    maya = partner(api, key, TERMS)
    campaign = api.call("POST", "/v1/campaigns", key, {"name": "Spring", "starts_on": "2026-01-01"})
    assert campaign.status == 201, campaign.text
    stclid, _ = click_id(api, key, maya["partner_id"], campaign.body["campaign_id"])
    placed = record(api, key, order(click_id=stclid))
    assert placed["attribution"]["campaign_id"] == campaign.body["campaign_id"]
    listed = api.call("GET", f"/v1/commissions?campaign_id={campaign.body['campaign_id']}", key).body["items"]
    assert [c["order_id"] for c in listed] == [placed["order_id"]]


def test_another_brand_gets_404_for_orders_and_commissions(
    api: ApiClient, brand: dict[str, str], cloud: LocalCloud
) -> None:
    # Given brand A's held order
    key = brand["api_key"]
    partner(api, key, TERMS, coupon_codes=["MINE"])
    placed = record(api, key, order(coupon_code="MINE", customer_email="z@mailinator.com"))
    commission_id = placed["commission"]["commission_id"]
    other = new_brand(cloud)["api_key"]
    # Then brand B finds none of it
    assert api.call("GET", f"/v1/conversions/{placed['order_id']}", other).status == 404
    refund = {"refund_id": "r", "amount": 5}
    assert api.call("POST", f"/v1/conversions/{placed['order_id']}/refunds", other, refund).status == 404
    assert api.call("POST", f"/v1/commissions/{commission_id}/release", other, {}).status == 404
    assert api.call("POST", f"/v1/commissions/{commission_id}/reject", other, {}).status == 404
    assert api.call("GET", "/v1/commissions", other).body["items"] == []
    # And B's coupon lookups never reach A's codes: the same order id is B's own, unattributed
    theirs = record(api, other, order(order_id=placed["order_id"], coupon_code="MINE"))
    assert theirs["attribution"]["method"] == "none"


def test_a_viewer_reads_but_records_nothing(api: ApiClient, brand: dict[str, str]) -> None:
    key = brand["api_key"]
    viewer = key_with_role(api, key, "viewer")
    finance = key_with_role(api, key, "finance")
    assert api.call("POST", "/v1/conversions", viewer, order()).status == 403
    assert api.call("POST", "/v1/conversions", finance, order()).status == 403
    assert api.call("GET", "/v1/commissions", viewer).status == 200
