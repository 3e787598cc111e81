"""A GET reads in one transaction: every session() of the request is the same one.

A page asks the database a dozen questions from several services; each in a session of
its own cost a BEGIN and a COMMIT apiece, two round trips each on PostgreSQL, a third of a
page's time. A GET (or HEAD) changes nothing, so all its questions share one session, one
connection and one transaction, ended with the request. Requests that change things keep
their units of work (archive.web.unit_of_work), each committing where the view says.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager

from flask import Flask, g, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from archive.web import get_runtime

log = logging.getLogger(__name__)


def init_reading(app: Flask) -> None:
    """Open a GET's one transaction before its hooks run, and end it after the answer."""

    @app.before_request
    def begin_reading() -> None:
        if request.method in ("GET", "HEAD"):
            reading: AbstractContextManager[Session] = get_runtime().db.reading()
            reading.__enter__()
            g.reading = reading

    @app.teardown_request
    def end_reading(error: BaseException | None) -> None:
        reading = g.pop("reading", None)
        if reading is None:
            return
        try:
            if error is None:
                reading.__exit__(None, None, None)
            else:
                reading.__exit__(type(error), error, error.__traceback__)
        except SQLAlchemyError as exc:  # a read-only transaction: nothing is lost
            log.warning("a reading did not end cleanly: %s", type(exc).__name__)
