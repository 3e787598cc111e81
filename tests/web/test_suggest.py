"""The search box's suggestions: places, tags and people of published photos only."""

from __future__ import annotations

from flask.testing import FlaskClient

from archive.features.gallery.suggest import split_people
from tests.web.conftest import api


def _labels(client: FlaskClient, typed: str) -> list[tuple[str, str]]:
    body = api(client, "/api/suggest", q=typed)
    return [(s["kind"], s["label"]) for s in body["suggestions"]]


def test_a_syllable_still_being_typed_already_suggests_places(client: FlaskClient) -> None:
    found = _labels(client, "영사")  # on the way to 영산
    assert ("place", "영산포") in found and ("place", "영산동") in found
    assert all(label.startswith("영산") for _kind, label in found)


def test_tags_and_people_come_with_their_counts_and_a_link(client: FlaskClient) -> None:
    body = api(client, "/api/suggest", q="가족")
    tag = next(s for s in body["suggestions"] if s["kind"] == "tag")
    assert tag["label"] == "가족" and tag["count"] == 2 and tag["params"] == {"q": "가족"}
    assert ("person", "김순자") in _labels(client, "김")
    assert ("person", "김철수") in _labels(client, "김ㅊ")


def test_places_link_to_the_place_filter(client: FlaskClient) -> None:
    body = api(client, "/api/suggest", q="금성")
    places = {s["label"]: s for s in body["suggestions"] if s["kind"] == "place"}
    assert places["금성관"]["params"] == {"place": "금성관"} and places["금성관"]["count"] == 1
    assert places["금성시"]["count"] > places["금성관"]["count"]  # 금성시 holds more places


def test_nothing_of_unpublished_records_is_suggested(client: FlaskClient) -> None:
    assert _labels(client, "공개안된") == []


def test_odd_input_gets_an_empty_list(client: FlaskClient) -> None:
    for typed in ("", "   ", "%%%", "'; drop table photos; --", "가" * 500, "ㅋㅋ"):
        body = api(client, "/api/suggest", q=typed)
        assert isinstance(body["suggestions"], list)
    assert api(client, "/api/suggest", q="가" * 500)["q"] == "가" * 50


def test_people_fields_are_split_into_names() -> None:
    assert split_people("박말순 · 김철수 및 손주들") == ["박말순", "김철수", "손주들"]
    assert split_people("김순자, 이영호;정순남/최씨") == ["김순자", "이영호", "정순남", "최씨"]


def test_a_last_consonant_may_start_the_next_syllable(client: FlaskClient) -> None:
    assert ("tag", "나룻배") in _labels(client, "날")  # 나 + ㄹ on the way to 나룻배
