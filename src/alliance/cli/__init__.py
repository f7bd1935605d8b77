"""The ``alliance`` command. It parses options and calls the node; nothing more.

One module per area: :mod:`.node` (version, init, upgrade, serve, demo, config),
:mod:`.users`, :mod:`.ledger`, :mod:`.pki`, :mod:`.federation`, :mod:`.tak`, shared helpers in :mod:`.common`;
each desk's own commands come from the desk registry (:mod:`.desks`).
"""

from __future__ import annotations

import typer

from alliance.cli.federation import federation_app
from alliance.cli.pki import pki_app
from alliance.cli.tak import tak_app

from . import desks, node
from .ledger import ledger_app
from .users import user_app

app = typer.Typer(
    help="Alliance: coordination between sovereign allied HQs. / Alliance：主権を持つ同盟国の司令部間の調整",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Settings / 設定", no_args_is_help=True)
for _command in (node.version, node.init, node.upgrade, node.serve, node.demo):
    app.command()(_command)
config_app.command("check")(node.config_check)
app.add_typer(user_app, name="user")
app.add_typer(ledger_app, name="ledger")
app.add_typer(config_app, name="config")
desks.mount(app)
app.add_typer(pki_app, name="pki")
app.add_typer(federation_app, name="federation")
app.add_typer(tak_app, name="tak")


def main() -> None:
    app()


__all__ = ["app", "main"]
