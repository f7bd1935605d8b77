"""The FreeTAKServer leg of ``bench.cop``, run inside a namespace of its own.

``bench.cop`` starts this module as

    unshare --net --mount --pid --fork --kill-child --mount-proc -- \\
        python -m bench._cop_fts --fts-python … --opt … -- <load generator args>

so that FreeTAKServer, which binds some of its ports on every interface
(8080, 8089, 8443 …), sees only a loopback interface of its own, writes its
files (hard-wired under ``/opt`` and ``/var/log``) into folders of ours
bind-mounted there, and dies with everything else when this process exits
(it is the PID namespace's first process). Here: bring ``lo`` up, start FreeTAKServer with
``FTS_FIRST_START=false`` and ``-CoTIP 127.0.0.1``, wait for its plain CoT
port, run the load generator against it, stop FreeTAKServer, and print one
JSON line: the generator's report, how long FreeTAKServer took to start, and
the end of its log if something went wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

FTS_MODULE = "FreeTAKServer.controllers.services.FTS"


def _listening(port: int) -> bool:
    """Is something listening on TCP ``port`` here? (from /proc, without connecting)"""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as f:
            for line in f.readlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    return True
    return False


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
            return


def run(args: argparse.Namespace, load_args: list[str]) -> dict[str, Any]:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    opt = Path(args.opt).resolve()
    shutil.rmtree(opt, ignore_errors=True)  # a fresh FreeTAKServer every run
    opt.mkdir(parents=True)
    # It writes its files under /opt and its logs into /var/log: give it
    # folders of ours there (this mount namespace only).
    var_log = opt / "var-log"
    var_log.mkdir()
    subprocess.run(["mount", "--bind", str(var_log), "/var/log"], check=True)
    subprocess.run(["mount", "--bind", str(opt), "/opt"], check=True)
    log_path = opt / "fts.log"
    env = dict(os.environ, FTS_FIRST_START="false", PYTHONUNBUFFERED="1")
    start = time.monotonic()
    with open(log_path, "wb") as log:
        fts = subprocess.Popen(
            [
                str(Path(args.fts_python).absolute()),
                "-m",
                FTS_MODULE,
                "-CoTIP",
                "127.0.0.1",
                "-AutoStart",
                "True",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=opt,
            env=env,
            process_group=0,
        )
    out: dict[str, Any] = {"fts_log": str(log_path)}
    try:
        deadline = start + args.start_timeout
        while not _listening(args.port):
            if fts.poll() is not None or time.monotonic() > deadline:
                out["error"] = (
                    f"FreeTAKServer did not listen on {args.port} "
                    f"(exit {fts.poll()}, {time.monotonic() - start:.0f} s)"
                )
                out["fts_log_tail"] = _tail(log_path)
                return out
            time.sleep(0.2)
        out["fts_listening_s"] = round(time.monotonic() - start, 2)
        time.sleep(args.grace)  # its routing workers start after the listener
        load = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench._cop_load",
                "--port",
                str(args.port),
                "--server-pgid",
                str(fts.pid),
                *load_args,
            ],
            capture_output=True,
            timeout=args.load_timeout,
            check=False,
        )
        if load.returncode != 0:
            out["error"] = f"load generator exit {load.returncode}: {load.stderr.decode()[-2000:]}"
            out["fts_log_tail"] = _tail(log_path)
            return out
        out["load"] = json.loads(load.stdout)
        out["fts_alive"] = fts.poll() is None
        return out
    finally:
        _stop(fts)


def main() -> int:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    p = argparse.ArgumentParser(prog="python -m bench._cop_fts")
    p.add_argument("--fts-python", required=True, help="python of FreeTAKServer's venv")
    p.add_argument("--opt", required=True, help="folder mounted on /opt for FreeTAKServer")
    p.add_argument("--port", type=int, default=8087, help="FreeTAKServer's plain CoT port")
    p.add_argument("--start-timeout", type=float, default=90.0)
    p.add_argument("--grace", type=float, default=2.0, help="seconds after it listens")
    p.add_argument("--load-timeout", type=float, default=300.0)
    args = p.parse_args(argv[:split])
    out = run(args, argv[split + 1 :])
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0 if "error" not in out else 1


if __name__ == "__main__":
    sys.exit(main())
