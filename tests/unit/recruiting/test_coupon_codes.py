"""A partner's coupon codes as the brand sets them (PATCH /v1/partners/{id} {"coupon_codes": [...]})."""

from __future__ import annotations

import pytest

from starling.recruiting.model import clean_coupon_codes, coupon_key
from starling.shared.errors import Invalid


def test_codes_keep_their_spelling_and_compare_in_any_case() -> None:
    assert clean_coupon_codes([" Maya10 ", "SPRING_26"]) == ("Maya10", "SPRING_26")
    assert coupon_key("maya10") == coupon_key("MAYA10 ")
    assert clean_coupon_codes(None) == clean_coupon_codes([]) == ()


@pytest.mark.parametrize(
    "codes",
    [
        ["MAYA10", "maya10"],
        ["x"],
        ["has space"],
        ["a" * 41],
        ["émile"],
        [f"C{n:02d}" for n in range(21)],
        "MAYA10",
    ],
)
def test_bad_or_repeated_codes_are_refused(codes: object) -> None:
    with pytest.raises(Invalid):
        clean_coupon_codes(codes)
