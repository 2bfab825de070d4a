"""Importing creators and discovering them through the brand API on the local cloud."""

from __future__ import annotations

import pytest

from infra.local.cloud import LocalCloud
from tests.integration.conftest import network_creator, new_brand
from tests.support import ApiClient

CREATORS = [
    {"handle": "maya.makes", "platform": "instagram", "followers": 8200, "avg_likes": 410, "avg_comments": 22,
     "niches": ["skincare", "beauty"], "country": "US", "language": "en", "email": "maya@gmail.com"},
    {"handle": "@Leo_Lifts", "platform": "tiktok", "followers": 42000, "avg_views": 9000, "avg_likes": 800,
     "niches": ["fitness"], "country": "DE", "language": "de"},
    {"handle": "tech.tina", "platform": "youtube", "followers": 150000, "avg_views": 3000,
     "niches": ["tech"], "country": "GB", "language": "en"},
    {"handle": "glow.gabi", "platform": "instagram", "followers": 3100, "avg_likes": 300, "avg_comments": 40,
     "niches": ["beauty"], "country": "US", "language": "en", "brand_safety_flags": ["gambling"]},
]  # fmt: skip


def _import(api: ApiClient, key: str, rows: object) -> dict:
    answer = api.call("POST", "/v1/creators/import", key, rows)
    assert answer.status == 200, answer.text
    return dict(answer.body)


def _handles(api: ApiClient, key: str, query: str) -> list[str]:
    answer = api.call("GET", "/v1/creators" + query, key)
    assert answer.status == 200, answer.text
    return [c["handle"] for c in answer.body["items"]]


def test_an_import_keeps_good_rows_and_reports_bad_ones_by_row_and_field(api: ApiClient, brand: dict) -> None:
    rows = [
        *CREATORS,
        {"handle": "neg", "platform": "instagram", "followers": -5},
        {"handle": "huge", "platform": "instagram", "followers": 10**12},
        {"platform": "myspace", "handle": "x"},
    ]
    summary = _import(api, brand["api_key"], rows)
    assert summary["imported"] == 4 and summary["updated"] == 0
    assert {r["row"]: set(r["errors"]) for r in summary["rejected"]} == {
        5: {"followers"},
        6: {"followers"},
        7: {"platform"},
    }


def test_re_importing_a_creator_updates_it_and_never_duplicates(api: ApiClient, brand: dict) -> None:
    _import(api, brand["api_key"], CREATORS)
    again = _import(
        api, brand["api_key"], [{"handle": "MAYA.MAKES", "platform": "instagram", "followers": 9000}]
    )
    assert again == {"imported": 0, "updated": 1, "rejected": [], "ignored_columns": []}
    found = api.call("GET", "/v1/creators?q=maya", brand["api_key"]).body["items"]
    assert len(found) == 1 and found[0]["followers"] == 9000 and found[0]["niches"] == ["skincare", "beauty"]


def test_a_csv_with_a_bom_imports(api: ApiClient, brand: dict) -> None:
    csv = "\ufeffhandle,platform,followers,niches,country\nana.paints,instagram,5400,art;diy,ES\n"
    answer = api.call("POST", "/v1/creators/import", brand["api_key"], raw=csv.encode(),
                      headers={"Content-Type": "text/csv"})  # fmt: skip
    assert answer.status == 200 and answer.body["imported"] == 1
    assert _handles(api, brand["api_key"], "?niche=diy") == ["ana.paints"]


@pytest.mark.parametrize(
    "csv",
    [
        "handle;platform;followers\nana;instagram;5400\n",  # wrong delimiter
        "ana.paints,instagram,5400\n",  # no header
        "",  # empty
    ],
)
def test_a_csv_that_cannot_be_read_gets_a_clear_error_and_imports_nothing(
    api: ApiClient, brand: dict, csv: str
) -> None:
    answer = api.call("POST", "/v1/creators/import", brand["api_key"], raw=csv.encode(),
                      headers={"Content-Type": "text/csv"})  # fmt: skip
    assert answer.status in (400, 422), answer.text
    assert answer.body["error"]["message"]
    assert api.call("GET", "/v1/creators", brand["api_key"]).body["items"] == []


def test_a_row_of_10000_columns_is_rejected_and_the_good_rows_kept(api: ApiClient, brand: dict) -> None:
    csv = "handle,platform\n" + ",".join(["x"] * 10_000) + "\nok.one,instagram\n"
    answer = api.call("POST", "/v1/creators/import", brand["api_key"], raw=csv.encode(),
                      headers={"Content-Type": "text/csv"})  # fmt: skip
    assert answer.status == 200
    assert answer.body["imported"] == 1
    assert answer.body["rejected"] == [
        {"row": 1, "errors": {"columns": "10,000 cells, but the header has 2 columns"}}
    ]


def test_a_body_that_is_neither_an_array_nor_csv_is_refused(api: ApiClient, brand: dict) -> None:
    assert api.call("POST", "/v1/creators/import", brand["api_key"], {"handle": "x"}).status == 422
    assert api.call("POST", "/v1/creators/import", brand["api_key"], raw=b"[{",
                    headers={"Content-Type": "application/json"}).status == 400  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?tier=nano&sort=followers", ["maya.makes", "glow.gabi"]),
        ("?tier=micro", ["leo_lifts"]),
        ("?platform=youtube", ["tech.tina"]),
        ("?country=us&sort=followers", ["maya.makes", "glow.gabi"]),
        ("?language=de", ["leo_lifts"]),
        ("?niche=Beauty&sort=followers", ["maya.makes", "glow.gabi"]),
        ("?min_followers=5000&max_followers=50000&sort=followers", ["leo_lifts", "maya.makes"]),
        ("?min_engagement=0.1&sort=engagement", ["leo_lifts", "glow.gabi"]),
        ("?q=glo", ["glow.gabi"]),
        ("?q=skin", ["maya.makes"]),
        ("?sort=followers", ["tech.tina", "leo_lifts", "maya.makes", "glow.gabi"]),
    ],
)
def test_discovery_filters_and_sorts(api: ApiClient, brand: dict, query: str, expected: list[str]) -> None:
    _import(api, brand["api_key"], CREATORS)
    assert _handles(api, brand["api_key"], query) == expected


def test_each_result_carries_tier_engagement_and_a_fit_score_that_explains_itself(
    api: ApiClient, brand: dict
) -> None:
    api.call(
        "PATCH", "/v1/brand", brand["api_key"], {"target_niches": ["beauty"], "target_countries": ["US"]}
    )
    _import(api, brand["api_key"], CREATORS)
    items = api.call("GET", "/v1/creators?sort=fit", brand["api_key"]).body["items"]
    scores_by_handle = {i["handle"]: i["fit"]["score"] for i in items}
    # Both nano, beauty and US: gabi has the tier's best engagement (+30) but a brand-safety flag (-15);
    # maya matches niche and country with the tier's lowest engagement: (40 + 0 + 20) x 100/90 = 66.7.
    assert scores_by_handle["glow.gabi"] == 85 and scores_by_handle["maya.makes"] == 67
    gabi = next(i for i in items if i["handle"] == "glow.gabi")
    assert gabi["tier"] == "nano" and gabi["engagement_rate"] == "0.1097"
    factors = {f["name"]: f for f in gabi["fit"]["factors"]}
    assert set(factors) == {"niche_match", "engagement", "audience_country", "brand_safety"}
    assert (
        factors["brand_safety"]["contribution"] == "-15.0"
        and "gambling" in factors["brand_safety"]["explanation"]
    )
    scores = [i["fit"]["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_search_pages_with_a_cursor_that_belongs_to_its_search(api: ApiClient, brand: dict) -> None:
    _import(api, brand["api_key"], CREATORS)
    first = api.call("GET", "/v1/creators?sort=followers&limit=3", brand["api_key"]).body
    second = api.call(
        "GET", f"/v1/creators?sort=followers&limit=3&cursor={first['next_cursor']}", brand["api_key"]
    )
    assert [c["handle"] for c in first["items"] + second.body["items"]] == [
        "tech.tina", "leo_lifts", "maya.makes", "glow.gabi"
    ]  # fmt: skip
    assert second.body["next_cursor"] is None
    other = api.call("GET", f"/v1/creators?sort=engagement&cursor={first['next_cursor']}", brand["api_key"])
    assert other.status == 422


@pytest.mark.parametrize(
    "query",
    [
        "?tier=giant",
        "?platform=myspace",
        "?sort=random",
        "?min_followers=-1",
        "?min_followers=10&max_followers=5",
        "?min_engagement=abc",
        "?country=USA",
        "?scope=everyone",
        "?limit=0",
    ],
)
def test_bad_search_filters_get_422(api: ApiClient, brand: dict, query: str) -> None:
    answer = api.call("GET", "/v1/creators" + query, brand["api_key"])
    assert answer.status == 422, answer.text


def test_a_viewer_searches_but_cannot_import(api: ApiClient, brand: dict) -> None:
    viewer = api.call("POST", "/v1/api-keys", brand["api_key"], {"name": "v", "role": "viewer"}).body["key"]
    assert api.call("GET", "/v1/creators", viewer).status == 200
    assert api.call("POST", "/v1/creators/import", viewer, CREATORS).status == 403


def test_a_brand_s_imports_stay_private(api: ApiClient, brand: dict, cloud: LocalCloud) -> None:
    _import(api, brand["api_key"], CREATORS)
    creator_id = api.call("GET", "/v1/creators?q=maya", brand["api_key"]).body["items"][0]["creator_id"]
    other = new_brand(cloud)
    assert api.call("GET", f"/v1/creators/{creator_id}", other["api_key"]).status == 404
    for scope in ("own", "network", "all"):
        assert "maya.makes" not in _handles(api, other["api_key"], f"?scope={scope}&q=maya")


def test_one_creator_reads_in_full_for_its_brand(api: ApiClient, brand: dict) -> None:
    _import(api, brand["api_key"], CREATORS)
    creator_id = api.call("GET", "/v1/creators?q=maya", brand["api_key"]).body["items"][0]["creator_id"]
    creator = api.call("GET", f"/v1/creators/{creator_id}", brand["api_key"]).body
    assert creator["email"] == "maya@gmail.com" and creator["source"] == "own" and creator["tier"] == "nano"
    assert api.call("GET", "/v1/creators/cre_doesnotexist", brand["api_key"]).status == 404


def test_a_network_creator_shows_other_brands_a_public_profile_without_contact_details(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given Zoë, who applied to brand A and let other brands find her
    zoe = network_creator(api, cloud)
    other = new_brand(cloud)["api_key"]
    # When brand B reads her and searches for her
    detail = api.call("GET", f"/v1/creators/{zoe['creator_id']}", other)
    searches = [
        api.call("GET", f"/v1/creators?scope={s}&q={zoe['handle']}", other) for s in ("network", "all")
    ]
    # Then B sees her public profile, and her email nowhere
    assert (
        detail.status == 200 and detail.body["handle"] == zoe["handle"] and detail.body["followers"] == 15000
    )
    assert detail.body["email"] is None and detail.body["contact_via_network"] is True
    assert all([c["handle"] for c in s.body["items"]] == [zoe["handle"]] for s in searches)
    assert all(zoe["email"] not in answer.text for answer in (detail, *searches))
    # And brand A, whose applicant she is, sees her email as before
    own = api.call("GET", f"/v1/creators/{zoe['creator_id']}", zoe["owner_key"]).body
    assert own["email"] == zoe["email"] and own["contact_via_network"] is False


def test_a_network_creator_a_brand_adds_to_its_list_keeps_her_email_out_of_it(
    api: ApiClient, cloud: LocalCloud
) -> None:
    # Given brand B added Zoë from the network to its pipeline
    zoe = network_creator(api, cloud)
    other = new_brand(cloud)["api_key"]
    assert api.call("POST", "/v1/partners", other, {"creator_id": zoe["creator_id"]}).status == 201
    # When B reads her, now in its own list, and searches its own list
    detail = api.call("GET", f"/v1/creators/{zoe['creator_id']}", other)
    own = api.call("GET", f"/v1/creators?scope=own&q={zoe['handle']}", other)
    # Then she is B's, still without her email: B keeps a reference to the network for contact
    assert detail.body["source"] == "own" and detail.body["contact_via_network"] is True
    assert detail.body["email"] is None and zoe["email"] not in detail.text
    assert [c["handle"] for c in own.body["items"]] == [zoe["handle"]] and zoe["email"] not in own.text


def test_min_engagement_is_a_fraction_and_a_percentage_gets_422_saying_so(
    api: ApiClient, brand: dict
) -> None:
    # Given the brand's creators (maya 5.27%, gabi 10.97%)
    _import(api, brand["api_key"], CREATORS)
    # When a marketer asks for 5% as a fraction, then as 5
    as_fraction = _handles(api, brand["api_key"], "?min_engagement=0.05&platform=instagram&sort=followers")
    as_percent = api.call("GET", "/v1/creators?min_engagement=5", brand["api_key"])
    # Then the fraction finds both, and 5 is refused with how to write it
    assert as_fraction == ["maya.makes", "glow.gabi"]
    assert as_percent.status == 422, as_percent.text
    assert "a fraction: 0.05 for 5%" in as_percent.body["error"]["message"]
    assert as_percent.body["error"]["details"]["min_engagement"] == "a fraction: 0.05 for 5%"


def test_a_fit_explanation_states_the_creators_rate_and_weights_in_points_out_of_100(
    api: ApiClient, brand: dict
) -> None:
    # Given creators of different engagement rates
    _import(api, brand["api_key"], CREATORS)
    # When the brand searches
    items = {i["handle"]: i for i in api.call("GET", "/v1/creators", brand["api_key"]).body["items"]}
    # Then each engagement explanation states that creator's own rate
    explained = {
        handle: {f["name"]: f for f in item["fit"]["factors"]}["engagement"]["explanation"]
        for handle, item in items.items()
    }
    assert explained["maya.makes"].startswith("Engagement 5.27% ")
    assert explained["glow.gabi"].startswith("Engagement 10.97% ")
    # And weight and contribution are in the same units, with the scaling said
    factors = items["maya.makes"]["fit"]["factors"]
    assert [(f["nominal_weight"], f["weight"]) for f in factors[:3]] == [
        (40, "44.4"),
        (30, "33.3"),
        (20, "22.2"),
    ]
    assert "scaled by 100/90" in items["maya.makes"]["fit"]["weighting"]
