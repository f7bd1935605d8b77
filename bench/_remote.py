"""A node in a process of its own, driven by the benchmark's process.

Two nodes in one process would share one interpreter lock, and what one
measured would be the other's wait. Each benchmark's host class (built in
the child as ``host(nation, *args)``) holds the node; the parent calls its
methods by name over a pipe (:meth:`Remote.call`) and gets the result or the
child's traceback.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback
from multiprocessing.connection import Connection
from typing import Any


def _host_main(conn: Connection, host_class: type, nation: str, args: tuple[Any, ...]) -> None:
    """The node process: build the host, then answer calls until told to stop."""
    try:
        host = host_class(nation, *args)
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        return
    conn.send(("ok", None))
    while True:
        name, kwargs = conn.recv()
        if name == "exit":
            host.close()
            conn.send(("ok", None))
            return
        try:
            conn.send(("ok", getattr(host, name)(**kwargs)))
        except BaseException:
            conn.send(("error", traceback.format_exc()))


class Remote:
    """The parent's handle on a node process running ``host_class(nation, *args)``
    (a module-level class: the child imports it by name)."""

    def __init__(self, host_class: type, nation: str, *args: Any) -> None:
        ctx = mp.get_context("spawn")
        self.nation = nation
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_host_main,
            args=(child, host_class, nation, args),
            name=f"node-{nation}",
            daemon=True,
        )
        self._proc.start()
        self._result()

    def _result(self) -> Any:
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"{self.nation} node process failed:\n{value}")
        return value

    def call(self, name: str, **kwargs: Any) -> Any:
        self._conn.send((name, kwargs))
        return self._result()

    def close(self) -> None:
        if self._proc.is_alive():
            try:
                self.call("exit")
            finally:
                self._proc.join(30)
        if self._proc.is_alive():
            self._proc.kill()


__all__ = ["Remote"]
