"""`archive users` and `archive purge-personal-data`: staff accounts and contributors' data."""

from __future__ import annotations

import json
import sys

import click

from archive.cli.common import open_runtime
from archive.statuses import StaffRole

CLI_ACTOR = "archive-cli"


@click.group()
def users() -> None:
    """Staff accounts of the moderator screen."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.ClickException(
                "표준 입력의 첫 줄에 비밀번호가 없습니다 / no password on the first line of stdin"
            )
        return line
    password: str = click.prompt(
        "비밀번호 / password", hide_input=True, confirmation_prompt=True, err=True
    )
    return password


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice([str(role) for role in StaffRole]),
    default=str(StaffRole.MODERATOR),
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
def users_add(name: str, role: str, password_stdin: bool) -> None:
    """Create a staff account (asks for its password)."""
    from archive.features.accounts.users import UserError, add_user
    from archive.records.events import record_event

    password = _read_password(password_stdin)
    with open_runtime() as runtime, runtime.db.session() as session:
        try:
            add_user(session, name, role, password, runtime.settings.password_min_length)
        except UserError as exc:
            raise click.ClickException(f"계정을 만들지 못했습니다 / {exc}") from exc
        record_event(session, "user-added", actor=CLI_ACTOR, detail={"name": name, "role": role})
    click.echo(f"added {role} {name}")


@users.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
def users_set_password(name: str, password_stdin: bool) -> None:
    """Give an account a new password (asks for it); its sessions end."""
    from archive.features.accounts.users import UserError, find_user, set_password
    from archive.records.events import record_event

    password = _read_password(password_stdin)
    with open_runtime() as runtime, runtime.db.session() as session:
        user = find_user(session, name)
        if user is None:
            raise click.ClickException(f"계정이 없습니다 / no user {name!r}")
        try:
            set_password(session, user, password, runtime.settings.password_min_length)
        except UserError as exc:
            raise click.ClickException(f"비밀번호를 바꾸지 못했습니다 / {exc}") from exc
        record_event(session, "password-reset", actor=CLI_ACTOR, detail={"name": name})
    click.echo(f"new password set for {name}; their sessions have ended")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def users_list(as_json: bool) -> None:
    """List staff accounts."""
    from archive.features.accounts.users import list_users

    with open_runtime() as runtime, runtime.db.session() as session:
        for user in list_users(session):
            row = {
                "name": user.name,
                "role": user.role,
                "active": user.active,
                "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
            }
            if as_json:
                click.echo(json.dumps(row, ensure_ascii=False))
            else:
                state = "active" if user.active else "disabled"
                click.echo(f"{user.name}\t{user.role}\t{state}")


@users.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Stop an account from signing in (its sessions end at their next request)."""
    from archive.features.accounts.users import UserError, disable_user
    from archive.records.events import record_event

    with open_runtime() as runtime, runtime.db.session() as session:
        try:
            disable_user(session, name)
        except UserError as exc:
            raise click.ClickException(f"계정을 막지 못했습니다 / {exc}") from exc
        record_event(session, "user-disabled", actor=CLI_ACTOR, detail={"name": name})
    click.echo(f"disabled {name}")


@click.command("purge-personal-data")
@click.option("--days", type=click.IntRange(min=0), help="Retention in days (default: setting).")
@click.option("--dry-run", is_flag=True, help="Only list what would be erased.")
def purge(days: int | None, dry_run: bool) -> None:
    """Erase contributors' names and contacts once their retention period has passed."""
    from archive.records.contributions import purge_personal_data

    with open_runtime() as runtime, runtime.db.session() as session:
        retention = runtime.settings.personal_data_retention_days if days is None else days
        receipts = purge_personal_data(
            session, retention_days=retention, actor=CLI_ACTOR, dry_run=dry_run
        )
    verb = "would erase" if dry_run else "erased"
    click.echo(f"{verb} personal data of {len(receipts)} contributions ({retention} days kept)")
    for receipt in receipts:
        click.echo(receipt)
