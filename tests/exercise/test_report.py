"""The after-action report of each nation holds only what is released to it,
through the desk and through the API (HTML, PDF, CSV)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from functools import partial

import httpx
import pytest
from pypdf import PdfReader

from alliance.core.errors import Forbidden
from alliance.core.models import MarkingIn
from alliance.exercise import ExerciseDesk
from alliance.exercise.models import ExerciseRole, ObservationIn, RoleIn
from alliance.exercise.tables import InjectDeliveryRow
from alliance.node import Node
from alliance.store import Tx
from tests.conftest import add_people
from tests.exercise.test_spine import _exercise_in, _inject


def _deliver(desk: ExerciseDesk, inject_id: str, now: datetime, tx: Tx) -> InjectDeliveryRow | None:
    return desk.deliver_in(tx, inject_id, now)


@pytest.fixture
def played(combined: Node) -> tuple[Node, dict[str, str]]:
    """JPN leads; one inject to USA's HQ, one national-only to its own; both
    delivered; a national-only JPN observation and a USA one released to JPN."""
    desk = combined.desk("exercise", ExerciseDesk)
    people = add_people(combined)
    tokens = {
        "jpn": people.tokens["JPN staff_officer jpn-jjoc"],
        "usa": people.tokens["USA staff_officer usa-jfhq"],
        "usa_cdr": people.tokens["USA commander usa-jfhq"],
        "usa_viewer": people.tokens["USA viewer usa-jfhq"],
    }
    jpn = combined.users.authenticate(tokens["jpn"])
    usa = combined.users.authenticate(tokens["usa"])
    usa_cdr = combined.users.authenticate(tokens["usa_cdr"])
    ex = desk.create_exercise(jpn, _exercise_in())
    shared = desk.create_inject(jpn, ex.id, _inject())
    own = desk.create_inject(
        jpn,
        ex.id,
        _inject(
            "JPN-002",
            addressee_hq_id="jpn-jjoc",
            description="FICTIONAL: national-only inject about JSDF readiness.",
            description_ja="架空：自衛隊の即応態勢に関する自国限りの状況付与。",
            marking=MarkingIn(),
        ),
    )
    now = combined.ctx.clock()
    deliveries = {}
    for inject in (shared, own):
        desk.approve_inject(jpn, inject.id)
        d = combined.writer.run(partial(_deliver, desk, inject.id, now))
        assert d is not None
        deliveries[inject.serial] = d.id
    desk.assign_role(usa_cdr, ex.id, RoleIn(user_id=usa.user_id, role=ExerciseRole.CONTROLLER))
    desk.observe(
        usa,
        ObservationIn(
            delivery_id=deliveries["JPN-001"],
            response="USA response: search coordinated (FICTIONAL).",
            response_ja="米側の対応：捜索を調整（架空）。",
            marking=MarkingIn(releasable_to=["JPN"]),
        ),
    )
    desk.observe(
        jpn,
        ObservationIn(
            delivery_id=deliveries["JPN-002"],
            response="JPN national observation (FICTIONAL).",
            response_ja="自国限りの観察記録（架空）。",
        ),
    )
    return combined, tokens


def test_each_nation_reads_only_what_is_released_to_it(
    played: tuple[Node, dict[str, str]],
) -> None:
    node, tokens = played
    desk = node.desk("exercise", ExerciseDesk)
    jpn = desk.report(node.users.authenticate(tokens["jpn"]), "ex-paper")
    usa = desk.report(node.users.authenticate(tokens["usa"]), "ex-paper")
    assert sorted(i.serial for i in jpn.injects) == ["JPN-001", "JPN-002"]
    assert [i.serial for i in usa.injects] == ["JPN-001"]
    assert sorted(o.response for o in jpn.observations) == [
        "JPN national observation (FICTIONAL).",
        "USA response: search coordinated (FICTIONAL).",
    ]
    assert [o.serial for o in usa.observations] == ["JPN-001"]
    # JPN's report holds a national-only line: its banner says so; USA's does not.
    assert "部内限り" in jpn.banner.ja
    assert usa.banner != jpn.banner
    assert all(i.delivered_at is not None for i in jpn.injects)
    # A user of a participating nation with no role in the exercise reads no AAR.
    with pytest.raises(Forbidden):
        desk.report(node.users.authenticate(tokens["usa_viewer"]), "ex-paper")


def test_the_api_renders_the_aar_as_html_pdf_and_csv(
    played: tuple[Node, dict[str, str]], serve: Callable[[Node], httpx.Client]
) -> None:
    node, tokens = played
    client = serve(node)
    usa = {"Authorization": f"Bearer {tokens['usa']}"}
    html = client.get("/exercises/ex-paper/aar", headers=usa)
    assert html.status_code == 200, html.text
    assert html.headers["content-type"].startswith("text/html")
    assert "JPN-001" in html.text
    assert "JPN-002" not in html.text
    assert "自国限り" not in html.text
    pdf = client.get("/exercises/ex-paper/aar", params={"format": "pdf"}, headers=usa)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "JPN-001" in text
    assert "米側の対応" in text  # Japanese text rendered, and extractable
    assert "JPN-002" not in text
    csv = client.get("/exercises/ex-paper/aar", params={"format": "timeline.csv"}, headers=usa)
    assert csv.status_code == 200
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel in Japan reads UTF-8
    assert b"JPN-001" in csv.content
    assert b"JPN-002" not in csv.content
    bad = client.get("/exercises/ex-paper/aar", params={"format": "docx"}, headers=usa)
    assert bad.status_code == 422
    anonymous = client.get("/exercises/ex-paper/aar")
    assert anonymous.status_code == 401
