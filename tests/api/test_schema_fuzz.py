"""A short schemathesis run against the OpenAPI of a live node.

A real uvicorn server on 127.0.0.1 serves a seeded node; its own
``/openapi.json`` is loaded over the socket and every operation is called
with generated input, signed in as a JPN commander. Bounded (a few examples
per operation, a total time budget) and deterministic (derandomized, no
example database); nothing leaves the loopback. Every answer must be no 5xx,
a status the schema documents for the operation, a content type it declares,
and a body that conforms to the declared schema.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import LiveServer, NodeFactory, add_people

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 6  # per operation
BUDGET = 150.0  # seconds for the whole run
# Server-sent events never end: the stream is checked by the authorization matrix.
SKIP = {("GET", "/api/v1/cop/stream"), ("GET", "/api/v1/stream")}


def _fuzz(
    operation: schemathesis.APIOperation[Any, Any, Any, Any], url: str, headers: dict[str, str]
) -> Callable[[], None]:
    """A bounded, derandomized hypothesis test of one operation."""

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(base_url=url, headers=headers, checks=CHECKS)

    return run


def test_generated_requests_get_documented_answers_from_a_live_node(
    make_node: NodeFactory,
) -> None:
    node = make_node("JPN")
    people = add_people(node)
    headers = people("JPN", "commander", "jpn-jjoc")
    live = LiveServer(node).start()
    failures: list[str] = []
    called = 0
    try:
        schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
        started = time.monotonic()
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                failures.append(f"the schema is invalid: {result.err()}")
                continue
            operation = result.ok()
            if (operation.method.upper(), operation.path) in SKIP:
                continue
            if time.monotonic() - started > BUDGET:
                failures.append(f"time budget of {BUDGET:.0f} s spent before {operation.label}")
                break

            run = _fuzz(operation, live.url, headers)
            try:
                run()
                called += 1
            except (Exception, BaseExceptionGroup) as exc:  # every operation is reported
                failures.append(f"{operation.label}: {str(exc)[:1500]}")
    finally:
        live.stop()
    assert not failures, f"{len(failures)} operations failed:\n" + "\n\n".join(failures)
    assert called > 40, called
