"""Someone opens the API's address in a browser."""

from __future__ import annotations

from tests.support import ApiClient


def test_opening_the_root_in_a_browser_shows_a_page_that_points_to_the_docs(api: ApiClient) -> None:
    answer = api.call("GET", "/", headers={"Accept": "text/html"})
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert 'href="/docs"' in answer.text and "<title>Starling</title>" in answer.text


def test_another_method_on_the_root_gets_405_with_allow(api: ApiClient) -> None:
    answer = api.call("POST", "/", body={})
    assert answer.status == 405
    assert answer.headers["Allow"] == "GET"
    assert answer.body["error"]["code"] == "method_not_allowed"
