"""The gazetteer's stable ASCII keys: written in the table or romanized, unique, and the
key paths that OAI-PMH place sets are named by."""

from __future__ import annotations

import pytest

from archive.errors import ConfigError
from archive.places.gazetteer import load_gazetteer, parse_gazetteer
from archive.places.romanize import KEY_PATTERN, place_key

HEADER = "name,key,kind,parent,part_of,aliases,lat,lon,note\n"


def test_the_packaged_keys_are_ascii_unique_and_hierarchical() -> None:
    gazetteer = load_gazetteer()
    keys = [place.key for place in gazetteer.places.values()]
    assert len(keys) == len(set(keys)) and all(KEY_PATTERN.fullmatch(k) for k in keys)
    assert gazetteer.key_path("영산포") == ("yeongsan-dong", "yeongsanpo")
    assert gazetteer.key_path("영산포 선창") == (
        "yeongsan-dong",
        "yeongsanpo",
        "yeongsanpo-seonchang",
    )
    assert gazetteer.key_path("영산포읍") == ("yeongsanpo-eup",)  # an old unit: its own top
    assert gazetteer.key_path("나주시") == ()  # the city is the whole archive
    assert gazetteer.key_path("어디인지 모름") == ()


@pytest.mark.parametrize(
    ("name", "kind", "key"),
    [
        ("영산동", "동", "yeongsan-dong"),
        ("나주군", "옛지명", "naju-gun"),
        ("새터마을", "리", "saeteomaeul"),
        ("빛가람 혁신도시", "명소", "bitgaram-hyeoksindosi"),
        ("금성관", "명소", "geumseonggwan"),
    ],
)
def test_keys_are_romanized_when_the_table_leaves_them_blank(
    name: str, kind: str, key: str
) -> None:
    assert place_key(name, kind) == key


def test_a_rename_keeps_the_key_and_bad_keys_are_refused_in_korean() -> None:
    renamed = parse_gazetteer(f"{HEADER}영산포구,yeongsanpo,명소,,,,,,\n".encode())
    assert renamed.places["영산포구"].key == "yeongsanpo"
    twice = f"{HEADER}갑,same,명소,,,,,,\n을,same,명소,,,,,,\n"
    with pytest.raises(ConfigError, match="3번째 줄: 영문 키 'same'"):
        parse_gazetteer(twice.encode())
    with pytest.raises(ConfigError, match="2번째 줄: 영문 키는 영어 소문자"):
        parse_gazetteer(f"{HEADER}갑,영산,명소,,,,,,\n".encode())
    generated = parse_gazetteer(f"{HEADER}영산동,,동,,,,,,\n영산 동,,명소,,,,,,\n".encode())
    assert [p.key for p in generated.places.values()] == ["yeongsan-dong", "yeongsan-dong-2"]
    without = parse_gazetteer("name,kind\n남평읍,읍\n".encode())  # older tables have no key
    assert without.places["남평읍"].key == "nampyeong-eup"
