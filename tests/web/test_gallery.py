"""The public corner over HTTP: pages, filters, only-published, media caching, API."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from archive.runtime import Runtime
from tests.web.conftest import api, runtime_of, work


def test_landing_page(client: FlaskClient) -> None:
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="ko">' in page
    assert "옛 추억을 떠올리며" in page and 'name="q"' in page
    assert "scan-public" in page and "scan-draft" not in page
    assert re.search(r'href="/photos\?era=1970s">1970년대', page)
    assert re.search(r'href="/photos\?place=%EC%98%81%EC%82%B0%EB%8F%99">영산동', page)


def test_results_with_filters_facets_and_removable_filters(client: FlaskClient) -> None:
    page = client.get("/photos", query_string={"q": "장날", "era": "1970s"}).get_data(True)
    assert "영산포 선창의 장날" in page and "장날 풍경" not in page  # 1966-1969 is not 1970s
    assert "철회된 장날 사진" not in page
    assert "검색어: 장날" in page and "시기: 1970년대" in page
    assert 'href="/photos?q=%EC%9E%A5%EB%82%A0"' in page  # removing the era keeps the words


def test_place_filter_includes_places_inside(client: FlaskClient) -> None:
    page = client.get("/photos", query_string={"place": "영산동"}).get_data(True)
    for title in ("영산포 선창의 장날", "영산포 등대", "홍수 피해", "scan-public"):
        assert title in page
    assert "미공개 영산포 사진" not in page and "scan-draft" not in page


def test_pagination_links(client: FlaskClient) -> None:
    first = client.get("/photos", query_string={"era": "19XX"}).get_data(True)
    assert 'rel="next" href="/photos?era=19XX&amp;page=2"' in first
    assert 'aria-current="page"' in first and 'aria-label="2쪽"' in first
    second = client.get("/photos", query_string={"era": "19XX", "page": 2}).get_data(True)
    assert 'rel="prev"' in second
    assert client.get("/photos", query_string={"era": "19XX", "page": 9}).status_code == 404


def test_bad_query_strings_get_a_korean_message(client: FlaskClient) -> None:
    for params in ({"page": "x"}, {"page": 0}, {"era": "옛날"}, {"place": "서울"}):
        response = client.get("/photos", query_string=params)
        assert response.status_code == 400 and 'class="error"' in response.get_data(True)
    assert client.get("/api/photos", query_string={"per_page": 500}).status_code == 400


def test_photo_page_and_only_published_exist(client: FlaskClient, scan_ids: dict[str, str]) -> None:
    public, draft = scan_ids["scan-public"], scan_ids["scan-draft"]
    page = client.get(f"/photos/{public}").get_data(True)
    assert 'property="og:image"' in page and "저작권 확인 중" in page
    assert 'href="/photos?place=%EC%98%81%EC%82%B0%ED%8F%AC"' in page
    for path in (f"/photos/{draft}", "/photos/doesnotexist", f"/api/photos/{draft}"):
        assert client.get(path).status_code == 404


def test_previous_and_next_within_a_browse(client: FlaskClient, app: Flask) -> None:
    items = api(client, "/api/photos", place="영산동")["items"]
    middle = items[1]["id"]
    page = client.get(f"/photos/{middle}", query_string={"place": "영산동"}).get_data(True)
    assert f'id="prev" href="/photos/{items[0]["id"]}?place=' in page
    assert f'id="next" href="/photos/{items[2]["id"]}?place=' in page


def test_api_shape_and_cors(client: FlaskClient) -> None:
    response = client.get(
        "/api/photos", query_string={"q": "scan"}, headers={"Origin": "https://www.naju.go.kr"}
    )
    body = response.get_json()
    assert response.headers["Access-Control-Allow-Origin"] == "https://www.naju.go.kr"
    assert set(body) >= {"total", "page", "items", "facets"}
    [item] = body["items"]
    assert set(item) >= {
        "id",
        "identifier",
        "title",
        "description",
        "date",
        "place",
        "tags",
        "url",
        "thumbnail_url",
        "image_url",
        "rights",
        "credit",
    }
    assert item["thumbnail_url"].startswith("https://oldphoto.naju.go.kr/media/thumb/")
    other = client.get("/api/photos", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert api(client, f"/api/photos/{item['id']}")["title"] == "scan-public"


def test_derivatives_are_immutable_and_conditional(
    client: FlaskClient, scan_ids: dict[str, str]
) -> None:
    item = api(client, f"/api/photos/{scan_ids['scan-public']}")
    path = item["image_url"].removeprefix("https://oldphoto.naju.go.kr")
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Last-Modified"] and response.headers["ETag"]
    assert b"GPS" not in response.data
    again = client.get(path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_drafts_and_masters_are_never_served(
    client: FlaskClient, app: Flask, scan_ids: dict[str, str]
) -> None:
    runtime: Runtime = app.extensions["archive"]
    with runtime.db.session() as session:
        from sqlalchemy import select

        from archive.models import Photo, PhotoFile

        rows = session.execute(
            select(PhotoFile.role, PhotoFile.variant, PhotoFile.sha256, Photo.title)
            .join(Photo)
            .where(Photo.title.like("scan-%"))
        ).all()
    assert len(rows) == 10  # each: master, tile pyramid, web image, two thumbnails
    for role, variant, sha256, title in rows:
        for version in (1, 2):
            public = title == "scan-public" and variant == "tiles" and version == 1
            for path in ("info.json", "full/max/0/default.jpg"):
                status = client.get(f"/iiif/3/{sha256}-{version}/{path}").status_code
                assert status == (200 if public else 404), (role, variant, title, path)
        for kind in ("thumb", "thumb_large", "web", "master", "tiles"):
            for version in (1, 2):
                status = client.get(f"/media/{kind}/{sha256}-{version}.jpg").status_code
                public = (title, role, variant) == ("scan-public", "derivative", kind)
                public = public and kind != "tiles"  # tiles are served only through IIIF
                expected = 200 if public and version == 1 else 404
                assert status == expected, (role, variant, title, kind, version)
            assert client.get(f"/media/{kind}/{sha256}.jpg").status_code == 404


def test_feed_sitemap_and_embed_list_only_published(
    client: FlaskClient, scan_ids: dict[str, str]
) -> None:
    feed = client.get("/feed.atom")
    assert feed.mimetype == "application/atom+xml"
    sitemap = client.get("/sitemap.xml").get_data(True)
    embed = client.get("/embed").get_data(True)
    for body in (feed.get_data(True), sitemap, embed):
        assert scan_ids["scan-public"] in body and scan_ids["scan-draft"] not in body
    assert "미공개" not in feed.get_data(True)


def test_results_page_runs_a_fixed_number_of_queries(client: FlaskClient, app: Flask) -> None:
    """However many cards a page shows, it reads them with the same queries."""
    runtime: Runtime = app.extensions["archive"]
    counted: list[str] = []

    def count(*args: object) -> None:
        if "search_" not in str(args[2]):  # the PostgreSQL search backend's own queries
            counted.append(str(args[2]))

    client.get("/photos", query_string={"q": "warm-up"})  # builds the index view first
    event.listen(runtime.db.engine, "before_cursor_execute", count)
    try:
        many = client.get("/photos", query_string={"era": "1900~1999"})  # 24 cards
        with_many = len(counted)
        counted.clear()
        few = client.get("/photos", query_string={"q": "가족"})  # 3 cards
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", count)
    assert many.get_data(True).count('class="card"') == 24
    assert few.get_data(True).count('class="card"') == 3
    assert with_many == len(counted) <= 6  # with the validator's version read


def test_healthz(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_validators_follow_the_database_before_the_index(
    client: FlaskClient, app: Flask, scan_ids: dict[str, str]
) -> None:
    from sqlalchemy import select

    from archive.features.catalogue.edits import set_status
    from archive.models import Photo

    runtime: Runtime = app.extensions["archive"]
    public = scan_ids["scan-public"]
    first = client.get(f"/photos/{public}")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"p') and first.headers["Cache-Control"] == (
        "public, max-age=0, must-revalidate"
    )
    assert first.headers["X-Accel-Expires"] == "1"  # a front proxy revalidates each second
    unchanged = client.get(f"/photos/{public}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    listed = client.get("/photos", query_string={"q": "scan"}).get_data(True)
    assert public in listed
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public)).one()
        set_status(session, photo, "withdrawn", actor="test", storages=runtime.storages)
    # The index has not caught up, yet nothing shows the withdrawn photo any more: the
    # validator moved with the database, so a cache revalidating gets the new answer.
    assert client.get(f"/photos/{public}", headers={"If-None-Match": etag}).status_code == 404
    results = client.get("/api/photos", query_string={"q": "scan"}).get_json()
    assert public not in [item["id"] for item in results["items"]]
    assert results["total"] == 0 and results["facets"]["places"] == {}
    runtime.search.sync(runtime.db)
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public)).one()
        set_status(session, photo, "published", actor="test", storages=runtime.storages)
    runtime.search.sync(runtime.db)
    assert client.get(f"/photos/{public}").status_code == 200


def test_every_page_shows_an_edit_at_once(fresh_app: Flask) -> None:
    """A page revalidated after an edit visitors see shows the new text on every URL."""
    from sqlalchemy import select

    from archive.features.catalogue.edits import update_photo
    from archive.models import Photo
    from tests.web.test_moderate import scan

    [public] = scan(fresh_app, {"title": "영산포 선창", "place": "영산포", "status": "published"})
    work(fresh_app)
    client = fresh_app.test_client()
    seen = {}
    for sort in ("newest", "oldest"):
        page = client.get("/photos", query_string={"q": "선창", "sort": sort})
        assert "영산포 선창" in page.get_data(True)
        seen[sort] = page.headers["ETag"]
    runtime = runtime_of(fresh_app)
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public)).one()
        changes = {"title": "영산포 선창의 아침"}
        update_photo(session, photo, changes, actor="test", gazetteer=runtime.gazetteer)
    for sort, etag in seen.items():
        page = client.get(
            "/photos", query_string={"q": "선창", "sort": sort}, headers={"If-None-Match": etag}
        )
        assert page.status_code == 200 and "영산포 선창의 아침" in page.get_data(True), sort


def test_cached_api_answers_keep_cors_per_origin(client: FlaskClient) -> None:
    allowed = client.get("/api/photos", headers={"Origin": "https://www.naju.go.kr"})
    other = client.get("/api/photos", headers={"Origin": "https://evil.example"})
    again = client.get("/api/photos", headers={"Origin": "https://www.naju.go.kr"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.naju.go.kr"
    assert "Access-Control-Allow-Origin" not in other.headers
    assert again.headers["Access-Control-Allow-Origin"] == "https://www.naju.go.kr"


def test_page_numbers_show_the_ends_and_the_neighbourhood() -> None:
    from archive.web.labels import era_label, page_numbers

    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 3) == [1, 2, 3]
    assert page_numbers(6, 12) == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert page_numbers(12, 12) == [1, None, 10, 11, 12]
    assert era_label("1970s") == "1970년대" and era_label("1965~1972") == "1965~1972"


def _titles(page: str) -> list[str]:
    return re.findall(r'<span class="title">([^<]+)</span>', page)


def test_results_sort_oldest_and_newest_first(client: FlaskClient) -> None:
    oldest = _titles(
        client.get("/photos", query_string={"q": "기차", "sort": "oldest"}).get_data(True)
    )
    newest = _titles(
        client.get("/photos", query_string={"q": "기차", "sort": "newest"}).get_data(True)
    )
    assert oldest == ["영산포역 기차", "나주역 광장"] and newest == oldest[::-1]
    page = client.get("/photos", query_string={"q": "기차", "sort": "newest"}).get_data(True)
    assert '<span aria-current="true">최근 순</span>' in page
    assert 'href="/photos?q=%EA%B8%B0%EC%B0%A8&amp;sort=oldest"' in page
    bad = client.get("/photos", query_string={"q": "기차", "sort": "random"})
    assert bad.status_code == 400 and "정렬은" in bad.get_data(True)


def test_a_photo_page_shows_related_photos_and_its_story_in_paragraphs(
    client: FlaskClient, app: Flask
) -> None:
    runtime: Runtime = app.extensions["archive"]
    with runtime.db.session() as session:
        from archive.models import Photo

        pid = session.query(Photo.public_id).filter(Photo.identifier == "NJ-01").scalar()
    page = client.get(f"/photos/{pid}").get_data(True)
    related = page.split('id="related-heading"', 1)[1].split("</section>", 1)[0]
    assert "영산포 등대" in related and "영산포 선창의 장날" not in related  # never itself
    assert "미공개 영산포 사진" not in related  # drafts never


def test_a_photo_opened_from_the_landing_page_has_previous_next_and_a_way_back(
    client: FlaskClient,
) -> None:
    landing = client.get("/").get_data(True)
    first = re.search(r'href="(/photos/[a-z0-9]+)\?list=new"', landing)
    assert first is not None
    page = client.get(first.group(1) + "?list=new").get_data(True)
    assert 'rel="next"' in page and "list=new" in page
    assert '<a href="/">목록으로</a>' in page


def test_pages_that_mention_calling_show_the_office_number(client: FlaskClient) -> None:
    page = client.get("/").get_data(True)
    assert "061-339-8114" in page and 'href="tel:0613398114"' in page


def test_the_timeline_shows_each_decade_with_its_years_and_photos(client: FlaskClient) -> None:
    page = client.get("/timeline").get_data(True)
    assert "<h1>시대별로 보기</h1>" in page
    seventies = page.split('id="decade-1970s"', 1)[1].split('class="decade"', 1)[0]
    assert 'href="/photos?era=1975">1975년' in seventies  # 나주역 광장, dated 1975
    assert 1 <= seventies.count('class="card"') <= 8 and "미공개 영산포 사진" not in page
    assert "era=1970s&amp;sort=oldest" in seventies
    assert 'href="/timeline"' in client.get("/").get_data(True)


def test_card_image_paths_are_the_media_route(app: Flask) -> None:
    """Cards write the media route's path out (it is on every card); it must stay the
    path url_for builds, under a script root too."""
    from flask import url_for

    from archive.records.public import PublicCopy
    from archive.web.cards import media_url, photo_path

    name = "ab" * 32 + "-3"
    key = f"public/thumb_large/ab/{name}.jpg"
    for base in ("https://oldphoto.naju.go.kr", "https://oldphoto.naju.go.kr/corner"):
        with app.test_request_context("/photos", base_url=base):
            expected = url_for("media.derivative", variant="thumb_large", name=name)
            assert media_url(PublicCopy("local", key)) == expected
            assert photo_path("naju-1970-0001") == url_for(
                "gallery.photo", public_id="naju-1970-0001"
            )


def test_links_with_a_query_are_what_url_for_builds(app: Flask) -> None:
    """Result pages write their links' query strings themselves: quoted as urlencode does,
    and read back as the arguments url_for would carry, for Korean, spaces, reserved
    characters and numbers, under a script root too."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    from flask import url_for

    from archive.web.urls import with_query

    params = {"q": "영산포 선창 & 1970 #1 +/?=", "era": "1960~1970", "place": "영산동", "page": 3}
    for base in ("https://oldphoto.naju.go.kr", "https://oldphoto.naju.go.kr/corner"):
        with app.test_request_context("/photos", base_url=base):
            path = url_for("gallery.photos")
            link = with_query(path, params)
            assert link == f"{path}?{urlencode(params)}"
            expected = urlsplit(url_for("gallery.photos", **params))
            assert urlsplit(link).path == expected.path
            assert parse_qsl(urlsplit(link).query) == parse_qsl(expected.query)
            assert with_query(path, {}) == path


def test_copies_read_from_files_or_with_cards_are_what_the_query_finds(app: Flask) -> None:
    """Photo pages take the public copies from the files they have loaded; cards read
    them with one query for many records: both give the same copies, sizes included."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from archive.models import Photo
    from archive.records.public import card_rows, media_for, media_of

    with runtime_of(app).db.session() as session:
        photos = list(session.scalars(select(Photo).options(selectinload(Photo.files))))
        found = media_for(session, [p.public_id for p in photos])
        assert any(found.values())  # the published scans have their copies
        # Results read each card's record and copies in one query: the same copies.
        rows = card_rows(session, [p.public_id for p in photos])
        published = {p.public_id for p in photos if p.status == "published"}
        assert {row.public_id for row, _media in rows} == published
        for row, media in rows:
            assert media == found.get(row.public_id, {}), row.public_id
        for photo in photos:
            expected = found.get(photo.public_id, {}) if photo.status == "published" else None
            if expected is not None:
                assert media_of(photo) == expected, photo.public_id


def test_a_search_with_no_photos_offers_what_there_is(client: FlaskClient) -> None:
    """No dead end (issue 33): the decades and places that have photos, those nearest to
    what was asked first, with counts; the photos that need help; the contribution form."""
    page = client.get("/photos", query_string={"q": "우주선", "era": "1960년대"}).get_data(True)
    assert "찾는 사진이 없습니다" in page and "이런 사진은 있습니다" in page
    count = r'</a> <span class="count">(\d+)장'
    offered = re.findall(r'href="/photos\?era=(\d{4})s">\d{4}년대' + count, page)
    assert [decade for decade, _count in offered][:3] == ["1960", "1950", "1970"]
    assert all(int(n) > 0 for _decade, n in offered)
    places = re.findall(r'href="/photos\?place=[^"]+">([^<]+)' + count, page)
    assert places and all(int(n) > 0 for _place, n in places)
    assert 'href="/help"' in page and 'href="/contribute"' in page
    found = client.get("/photos", query_string={"q": "장날"}).get_data(True)
    assert "이런 사진은 있습니다" not in found
