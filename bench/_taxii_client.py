"""The client side of ``bench.taxii``, in a process of its own: the server it
times never shares an interpreter (or its lock) with the client.

    python -m bench._taxii_client SPEC_JSON

SPEC: ``{"base": url, "headers": {...}, "auth": [user, password] | null,
"page": 100, "requests": [{"name", "path", "params", "repeats", "full": bool}]}``.
Prints ``{name: median_ms}`` as JSON. Each request is made twice first to
warm up (``warmups`` sets how many); a request marked ``full`` must return exactly ``page`` objects.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import httpx


def main() -> int:
    spec = json.loads(sys.argv[1])
    auth = tuple(spec["auth"]) if spec.get("auth") else None
    out: dict[str, float] = {}
    with httpx.Client(
        base_url=spec["base"], headers=spec["headers"], auth=auth, timeout=600
    ) as client:
        for req in spec["requests"]:
            samples = []
            warmups = req.get("warmups", 2)
            for i in range(req["repeats"] + warmups):
                start = time.perf_counter()
                response = client.get(req["path"], params=req["params"])
                elapsed = (time.perf_counter() - start) * 1000
                response.raise_for_status()
                if req.get("full"):
                    got = len(response.json().get("objects", []))
                    if got != spec["page"]:
                        raise SystemExit(f"{req['path']} gave {got} objects, not {spec['page']}")
                if i >= warmups:
                    samples.append(elapsed)
            out[req["name"]] = statistics.median(samples)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
