"""The Korean model in a process of its own answers exactly what the local one would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archive.config import load_settings
from archive.places.gazetteer import gazetteer_for
from archive.search.analysis import analyzer_for
from archive.search.model_process import ModelProcess

TEXTS = [
    "영산포 선창에서 찍은 황포돛배",
    "나주읍성 남고문 앞 1972년 축제 행렬",
    "할머니와 고모가 금성관 마당에서",
    "Naju 1968 ひらがな 羅州",
    "",
]


@pytest.fixture(scope="module")
def model() -> Iterator[ModelProcess]:
    process = ModelProcess(load_settings())
    yield process
    process.close()


def test_terms_from_the_model_process_equal_the_local_analysis(model: ModelProcess) -> None:
    gazetteer = gazetteer_for(load_settings())
    local = analyzer_for(gazetteer)
    helped = analyzer_for(gazetteer)
    helped.helper = model
    helped.prime(TEXTS)
    assert helped._kiwi is None  # nothing was loaded here
    assert [helped.terms(t) for t in TEXTS] == [local.terms(t) for t in TEXTS]
    assert "영산포" in helped.terms(TEXTS[0])  # a gazetteer name stays one word


def test_a_dead_model_process_leaves_the_analysis_to_this_process() -> None:
    process = ModelProcess(load_settings())
    process._process.kill()
    process._process.join()
    analyzer = analyzer_for(gazetteer_for(load_settings()))
    analyzer.helper = process
    analyzer.prime(TEXTS[:2])
    assert analyzer.helper is None and "돛배" in analyzer.terms(TEXTS[0])
    process.close()
