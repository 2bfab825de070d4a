"""What the idempotency middleware keeps: records scoped per API key, and never a secret."""

from __future__ import annotations

import json

from starling.api.idempotency import SECRET_FIELDS, record_id, without_secrets


def test_a_record_belongs_to_the_brand_and_the_api_key_that_made_it() -> None:
    # Given one Idempotency-Key sent by two keys of a brand and by a key of another brand
    ids = {
        record_id("brd_a", "key_1", "k"),
        record_id("brd_a", "key_2", "k"),
        record_id("brd_b", "key_1", "k"),
    }
    # Then each gets its own record
    assert len(ids) == 3


def test_a_new_api_key_is_not_kept_but_a_notice_says_it_was_shown() -> None:
    # Given the answer to creating an API key, When it is made fit to keep
    body = json.dumps({"key_id": "key_1", "key": "stk_live_" + "A" * 24})
    kept = json.loads(without_secrets(body))
    # Then the key is gone, the rest stays, and the notice says how to get another
    assert kept == {"key_id": "key_1", "key": None, "key_notice": SECRET_FIELDS["key"]}
    assert "stk_live_" not in without_secrets(body)


def test_answers_without_secrets_are_kept_as_they_were() -> None:
    for body in ('{"product_id": "prd_1"}', "[1, 2]", "not json", ""):
        assert without_secrets(body) == body
