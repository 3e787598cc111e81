"""The templates' environment reads dict keys first, and gives what Jinja gave before."""

from __future__ import annotations

from flask import Flask
from jinja2 import Environment, Undefined

from archive.web.jinja import DictFirstEnvironment


def test_dict_keys_attributes_and_missing_names_read_as_jinja_reads_them(app: Flask) -> None:
    assert isinstance(app.jinja_env, DictFirstEnvironment)

    class Card:
        title = "영산포 등대"

    card = {"title": "영산포 선창", "items": [1, 2], "get": "key", "place": None}
    plain = Environment()
    for name in ("title", "items", "get", "place", "keys", "nope"):
        ours, theirs = app.jinja_env.getattr(card, name), plain.getattr(card, name)
        assert ours == theirs or (isinstance(ours, Undefined) and isinstance(theirs, Undefined))
    assert app.jinja_env.getattr(card, "title") == "영산포 선창"
    assert app.jinja_env.getattr(Card(), "title") == "영산포 등대"
    page = app.jinja_env.from_string("{{ c.title }}|{{ c.items is callable }}|{{ c.nope }}")
    assert page.render(c=card) == "영산포 선창|True|"  # c.items: the method, as Jinja gives it
