"""`archive users` and `archive purge-personal-data` through the real CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from werkzeug.security import check_password_hash

from archive.cli import main
from archive.features.catalogue.review import reject_photo
from archive.models import Contribution, Event, Photo, User
from archive.records.contributions import Contributor, create_contribution
from archive.records.photos import create_photo
from archive.runtime import Runtime

CLI = Callable[..., Result]


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def test_add_with_password_on_stdin_then_list_and_disable(runtime: Runtime) -> None:
    result = run(
        "users",
        "add",
        "kim",
        "--role",
        "admin",
        "--password-stdin",
        input="s3cret-pass-word\nignored\n",
    )
    assert result.exit_code == 0, result.output
    with runtime.db.session() as session:
        user = session.scalars(select(User)).one()
        assert user.role == "admin" and user.active
        assert user.password_hash != "s3cret-pass-word"
        assert check_password_hash(user.password_hash, "s3cret-pass-word")
    listed = run("users", "list", "--json")
    assert json.loads(listed.output.splitlines()[0]) == {
        "name": "kim",
        "role": "admin",
        "active": True,
        "last_login_at": None,
    }
    assert run("users", "disable", "kim").exit_code == 0
    assert "kim\tadmin\tdisabled" in run("users", "list").output
    with runtime.db.session() as session:
        kinds = list(session.scalars(select(Event.kind)))
    assert kinds == ["user-added", "user-disabled"]
    assert "s3cret" not in json.dumps([k for k in kinds])


def test_the_password_prompt_asks_twice(runtime: Runtime) -> None:
    result = run("users", "add", "lee", input="long-enough-1\nlong-enough-1\n")
    assert result.exit_code == 0, result.output
    mismatch = run("users", "add", "park", input="long-enough-1\nlong-enough-2\n")
    assert mismatch.exit_code != 0


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("users", "add", "kim", "--password-stdin"), "short\n", "at least 10"),
        (("users", "add", "kim", "--password-stdin"), "\n", "no password on the first line"),
        (("users", "add", "bad name!", "--password-stdin"), "long-enough-pw\n", "name must be"),
        (("users", "add", "kim", "--role", "root", "--password-stdin"), "x" * 12, "root"),
        (("users", "disable", "nobody"), None, "no user 'nobody'"),
    ],
)
def test_bad_input_gets_a_clear_message(
    runtime: Runtime, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    result = run(*args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_a_taken_name_is_refused(runtime: Runtime) -> None:
    run("users", "add", "kim", "--password-stdin", input="long-enough-pw\n")
    again = run("users", "add", "kim", "--password-stdin", input="long-enough-pw\n")
    assert again.exit_code != 0 and "already exists" in again.output


def _decided_contribution(runtime: Runtime, name: str, days_ago: int | None) -> str:
    with runtime.db.session() as session:
        contribution, _token = create_contribution(
            session,
            Contributor(name, f"{name}@example.kr", show_name=True, rights="공공누리 제1유형"),
        )
        photo = create_photo(
            session, {"title": name}, source="contribution", gazetteer=runtime.gazetteer
        )
        photo.contribution = contribution
        photo.credit = name
        session.flush()
        if days_ago is not None:
            reject_photo(session, runtime.storages, photo, actor="kim", reason="중복")
            contribution.decided_at = datetime.now(UTC) - timedelta(days=days_ago)
        return contribution.receipt


def test_purge_erases_contacts_only_after_the_retention_period(runtime: Runtime) -> None:
    old = _decided_contribution(runtime, "old", days_ago=400)
    recent = _decided_contribution(runtime, "recent", days_ago=30)
    pending = _decided_contribution(runtime, "pending", days_ago=None)
    dry = run("purge-personal-data", "--dry-run")
    assert dry.exit_code == 0 and old in dry.output and "would erase" in dry.output
    result = run("purge-personal-data")
    assert result.exit_code == 0, result.output
    assert "erased personal data of 1 contributions" in result.output and old in result.output
    with runtime.db.session() as session:
        rows = {c.receipt: c for c in session.scalars(select(Contribution))}
        assert (rows[old].name, rows[old].contact) == ("", "")
        assert rows[old].purged_at is not None
        assert rows[recent].contact == "recent@example.kr"
        assert rows[pending].contact == "pending@example.kr"
        credits = set(session.scalars(select(Photo.credit)))
        assert "old" in credits  # a name the contributor chose to show stays as credit
        event = session.scalars(select(Event).where(Event.kind == "personal-data-purged")).one()
        assert "old@example.kr" not in json.dumps(event.detail, ensure_ascii=False)
    again = run("purge-personal-data", "--days", "10")
    assert "erased personal data of 1 contributions" in again.output and recent in again.output


def test_purge_refuses_a_negative_retention(runtime: Runtime) -> None:
    result = run("purge-personal-data", "--days", "-1")
    assert result.exit_code == 2 and "-1" in result.output


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaa", "비밀번호가 너무 쉽습니다"),
        ("              ", "비밀번호가 비어 있습니다"),
        ("kim2024", "10자 이상"),
        ("password1234", "비밀번호가 너무 쉽습니다"),
    ],
)
def test_weak_and_blank_passwords_are_refused_by_the_cli(
    runtime: Runtime, password: str, message: str
) -> None:
    result = run("users", "add", "kim", "--password-stdin", input=password + "\n")
    assert result.exit_code != 0 and message in result.output
    with runtime.db.session() as session:
        assert session.scalars(select(User)).first() is None


def test_set_password_changes_it_and_ends_the_sessions(runtime: Runtime) -> None:
    run("users", "add", "kim", "--password-stdin", input="long-enough-pw\n")
    with runtime.db.session() as session:
        before = session.scalars(select(User)).one().session_token
    weak = run("users", "set-password", "kim", "--password-stdin", input="aaaaaaaaaa\n")
    assert weak.exit_code != 0 and "너무 쉽습니다" in weak.output
    done = run(
        "users", "set-password", "kim", "--password-stdin", input="새 비밀번호 영산포 등대\n"
    )
    assert done.exit_code == 0, done.output
    with runtime.db.session() as session:
        user = session.scalars(select(User)).one()
        assert user.session_token != before
        assert check_password_hash(user.password_hash, "새 비밀번호 영산포 등대")
    missing = run("users", "set-password", "lee", "--password-stdin", input="x\n")
    assert missing.exit_code != 0 and "no user 'lee'" in missing.output
