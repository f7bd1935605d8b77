"""MISP events to STIX 2.1 by MISP's own converter (``misp-stix``), in a process
of its own: ``python -m alliance.cyber.misp_worker`` reads the events (JSON) on
standard input and writes ``{"objects": [...]}`` or ``{"error": "..."}``.

A process of its own because the converter's STIX 1 dependencies (``mixbox``)
install a legacy import hook for the whole interpreter when imported: kept
out of the node's and the command line's own process, it touches nothing
else there.
"""

from __future__ import annotations

import sys
import warnings

import orjson


def main() -> int:
    warnings.simplefilter("ignore")  # the converter's dependencies warn about themselves
    try:
        from misp_stix_converter import MISPtoSTIX21Parser

        parser = MISPtoSTIX21Parser()
        parser.parse_json_content(orjson.loads(sys.stdin.buffer.read()))
        objects = [orjson.loads(o.serialize()) for o in parser.stix_objects]
    except Exception as exc:  # the converter raises many kinds; all mean one thing here
        sys.stdout.buffer.write(orjson.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return 0
    sys.stdout.buffer.write(orjson.dumps({"objects": objects}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
