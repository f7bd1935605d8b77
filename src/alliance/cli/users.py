"""``alliance user``: users and API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from alliance.access import UserIn
from alliance.cli.common import HomeOpt, fail, open_node, out, say, table, validation_text
from alliance.core.authority import ROLE_NAMES, Role
from alliance.core.errors import AllianceError
from alliance.core.i18n import Text

user_app = typer.Typer(help="Users and API tokens / 利用者とAPIトークン", no_args_is_help=True)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Option(help="The person's name, as shown / 表示する氏名")],
    hq: Annotated[str, typer.Option(help="HQ id, e.g. jpn-jjoc / 司令部ID")],
    role: Annotated[Role, typer.Option(help="What the user may do / 利用者の役割")],
    nation: Annotated[
        str | None, typer.Option(help="Default: the node's nation / 既定はノードの国")
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Add a user; print the API token once (stored only as a hash). / 利用者を追加しトークンを一度だけ表示する。"""
    node = open_node(home)
    try:
        user, token = node.users.add(
            UserIn(name=name, nation=nation or node.nation, hq_id=hq, role=role)
        )
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    except ValidationError as exc:
        raise fail(validation_text(exc), 2) from None
    finally:
        node.close()
    out.print(
        say(
            Text(
                f"User {user.id} ({user.nation}/{user.hq_id}/{user.role.value}) created.",
                f"利用者 {user.id}（{user.nation}/{user.hq_id}/{user.role.value}）を作成しました。",
            )
        )
    )
    out.print(say(Text("API token (shown only now):", "APIトークン（表示はこの一度のみ）:")))
    print(token)


@user_app.command("list")
def user_list(home: HomeOpt = None) -> None:
    """List users. / 利用者の一覧。"""
    from sqlalchemy import select

    from alliance.store.schema import UserRow

    node = open_node(home)
    try:
        with node.db.read() as s:
            rows = list(s.scalars(select(UserRow).order_by(UserRow.nation, UserRow.name)))
    finally:
        node.close()
    shown = table(
        Text("id", "ID"),
        Text("name", "氏名"),
        Text("nation", "国"),
        Text("HQ", "司令部"),
        Text("role", "役割"),
        wrap=(1, 4),  # the id is copied whole ('alliance user disable ID')
    )
    disabled = say(Text("(disabled)", "（無効）"))
    for r in rows:
        role = say(ROLE_NAMES[Role(r.role)]) if r.role in set(Role) else r.role
        shown.add_row(r.id, r.name, r.nation, r.hq_id, f"{role} {disabled}" if r.disabled else role)
    out.print(shown)


@user_app.command("disable")
def user_disable(
    user_id: Annotated[str, typer.Argument(help="The user's id / 利用者ID")],
    home: HomeOpt = None,
) -> None:
    """Disable a user; the token stops working at once. / 利用者を無効にする。そのトークンは直ちに使えなくなる。"""
    node = open_node(home)
    try:
        node.users.disable(user_id)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    finally:
        node.close()
    out.print(say(Text("Disabled.", "無効にしました。")))


def _read_password(from_stdin: bool) -> str:
    """The new password: a line of stdin with --password-stdin (or when stdin is
    not a terminal), else asked twice without echo."""
    import sys

    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt(say(Text("New password", "新しいパスワード")), hide_input=True)
    again = typer.prompt(say(Text("Again", "もう一度")), hide_input=True)
    if first != again:
        raise fail(Text("The two passwords differ.", "2つのパスワードが一致しません。"), 2)
    return str(first)


@user_app.command("passwd")
def user_passwd(
    user_id: Annotated[str, typer.Argument(help="The user's id (alliance user list) / 利用者ID")],
    username: Annotated[
        str | None,
        typer.Option(
            help="Username to sign in with (default: the one set before, else the id) / "
            "サインインに使う利用者名（既定: 設定済みのもの、なければID）"
        ),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of stdin instead of asking / "
            "パスワードを尋ねずに標準入力の1行目から読む",
        ),
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Set a user's console password (argon2 hash); ends their sessions. / 利用者のコンソール用パスワードを設定する（既存のセッションは終了）。"""
    password = _read_password(password_stdin)
    node = open_node(home)
    try:
        _user_id, name = node.signin.set_password(user_id, password, username=username)
    except AllianceError as exc:
        raise fail(exc.message, 2) from None
    finally:
        node.close()
    out.print(
        say(
            Text(
                f"Password set: {user_id} signs in to the console as '{name}'.",
                f"パスワードを設定しました。{user_id} はコンソールに「{name}」でサインインします。",
            )
        ),
        soft_wrap=True,
    )
