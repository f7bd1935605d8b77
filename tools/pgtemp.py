"""A throwaway PostgreSQL server from Debian's ``postgresql`` package.

Used by the tests (``--backends=...,postgresql``) and the benchmarks: ``initdb``
in a temporary folder, ``pg_ctl start`` on a free loopback port, trust
authentication on loopback only, and ``pg_ctl stop`` at the end. As root the
server runs as the ``postgres`` user (``initdb`` refuses root).

    python tools/pgtemp.py start .pgtest   # prints the URL
    python tools/pgtemp.py stop .pgtest
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def _bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if found:
        return str(found[-1])
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"{name} not found: install Debian's postgresql package (make test does)"
        )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TempPostgres:
    def __init__(self, folder: Path) -> None:
        self.folder = folder.resolve()
        self.data = self.folder / "data"
        self.port = 0

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(args, check=True, capture_output=True, text=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> str:
        self.stop(quiet=True)
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.folder, pg.pw_uid, pg.pw_gid)
        self._run(
            [
                _bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
            ]
        )
        self.port = _free_port()
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            "-c max_connections=200 -c shared_buffers=128MB"
        )
        self._run(
            [
                _bin("pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                opts,
                "-l",
                str(self.folder / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        (self.folder / "url").write_text(self.url + "\n")
        self._wait()
        return self.url

    def _wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start; see server.log")

    def stop(self, quiet: bool = False) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._run([_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
            except subprocess.CalledProcessError:
                if not quiet:
                    raise


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in {"start", "stop"}:
        print(__doc__)
        return 2
    pg = TempPostgres(Path(argv[2]))
    if argv[1] == "start":
        print(pg.start())
    else:
        pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
