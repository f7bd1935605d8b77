"""The COP desk inside another desk's transaction: a writer job that creates
an HQ and reports a track publishes the track only if the job commits, and
once even when the writer re-runs the job's batch."""

from __future__ import annotations

import threading

import pytest

from alliance.cop.desk import ReportIn
from alliance.cop.tracks import Track
from alliance.core.authority import Actor, Role
from alliance.core.errors import Forbidden, InvalidInput, NotFound
from alliance.core.models import MarkingIn
from alliance.node import Node
from alliance.org import HqIn, HqKind
from alliance.store import Tx

STAFF = Actor("jpn-staff", "JPN staff officer", "JPN", "jpn-jjoc", Role.STAFF_OFFICER)
CELL = "jpn-recce-cell"


def _cell() -> HqIn:
    return HqIn(
        id=CELL,
        nation="JPN",
        parent_id="jpn-jjoc",
        kind=HqKind.OTHER,
        name_en="JJOC reconnaissance cell",
        name_ja="統合作戦司令部偵察班",
        short_en="Recce",
        short_ja="偵察班",
        marking=MarkingIn(releasable_to=["USA"]),
    )


def _report(uid: str, **extra: object) -> ReportIn:
    return ReportIn.model_validate(
        {
            "uid": uid,
            "sidc": "SFGPUCR----E---",
            "callsign": uid,
            "lat": 35.68,
            "lon": 139.76,
            "marking": {"releasable_to": ["USA"]},
            **extra,
        }
    )


def _uids(node: Node) -> list[str]:
    return [t.uid for t in node.cop.picture(STAFF)]


def test_a_track_reported_in_a_job_appears_with_the_hq_made_in_the_same_job(
    combined: Node,
) -> None:
    def job(tx: Tx) -> Track:
        combined.org.create_hq_in(tx, STAFF, _cell())
        track = combined.cop.report_in(tx, STAFF, _report("RECCE-1"))
        # Not yet published: the job has not committed.
        assert "RECCE-1" not in _uids(combined)
        return track

    track = combined.ctx.writer.run(job, timeout=20)
    assert (track.owner, track.uid) == ("JPN", "RECCE-1")
    assert _uids(combined).count("RECCE-1") == 1
    assert combined.org.get_hq(STAFF, CELL).id == CELL
    # The USA seat of this combined node sees it: it was released to USA.
    usa = Actor("usa-staff", "USA staff officer", "USA", "usa-jfhq", Role.STAFF_OFFICER)
    assert combined.cop.get(usa, "RECCE-1").owner == "JPN"


def test_a_job_that_fails_after_reporting_publishes_no_track_and_stores_no_hq(
    combined: Node,
) -> None:
    def job(tx: Tx) -> None:
        combined.cop.report_in(tx, STAFF, _report("RECCE-2"))
        combined.org.create_hq_in(tx, STAFF, _cell().model_copy(update={"parent_id": "nowhere"}))

    with pytest.raises((InvalidInput, NotFound)):
        combined.ctx.writer.run(job, timeout=20)
    assert "RECCE-2" not in _uids(combined)
    with pytest.raises(NotFound):
        combined.org.get_hq(STAFF, CELL)


def test_a_refused_report_fails_the_job_at_once_with_the_desk_s_error(combined: Node) -> None:
    def job(tx: Tx) -> None:
        combined.org.create_hq_in(tx, STAFF, _cell())
        combined.cop.report_in(tx, STAFF, _report("RECCE-3", operator_nation="USA"))

    with pytest.raises(Forbidden) as refused:
        combined.ctx.writer.run(job, timeout=20)
    assert refused.value.code == "not_unmanned"
    assert "RECCE-3" not in _uids(combined)
    with pytest.raises(NotFound):  # the HQ of the same job was rolled back
        combined.org.get_hq(STAFF, CELL)


def test_a_re_run_batch_publishes_each_track_once(combined: Node) -> None:
    """A failing job makes the writer re-run the jobs of its batch before it:
    the reporting job runs twice, its track is published once."""
    published: list[str] = []
    accept = combined.cop.accept

    def counting(track: Track, origin: object = None) -> None:
        published.append(track.uid)
        accept(track, origin)

    combined.cop.accept = counting  # type: ignore[method-assign]
    entered, release = threading.Event(), threading.Event()

    def hold(_tx: Tx) -> None:  # holds the writer so that the next jobs share a batch
        entered.set()
        assert release.wait(20)

    runs: list[str] = []

    def reporting(tx: Tx) -> None:
        runs.append("reporting")
        combined.cop.report_in(tx, STAFF, _report("RECCE-4"))

    def failing(_tx: Tx) -> None:
        raise RuntimeError("a later job of the batch fails")

    held = combined.ctx.writer.submit(hold)
    assert entered.wait(20)
    good = combined.ctx.writer.submit(reporting)
    bad = combined.ctx.writer.submit(failing)
    release.set()
    held.result(20)
    good.result(20)
    assert isinstance(bad.exception(20), RuntimeError)
    assert runs == ["reporting", "reporting"]  # the batch was re-run ...
    assert published == ["RECCE-4"]  # ... and the track published once
    assert _uids(combined).count("RECCE-4") == 1


def test_a_withdrawal_in_a_job_takes_effect_only_when_the_job_commits(combined: Node) -> None:
    combined.cop.report(STAFF, _report("RECCE-5"))

    def failing(tx: Tx) -> None:
        combined.cop.withdraw_in(tx, "RECCE-5", "JPN")
        raise RuntimeError("the job fails after asking for the withdrawal")

    with pytest.raises(RuntimeError):
        combined.ctx.writer.run(failing, timeout=20)
    assert "RECCE-5" in _uids(combined)
    combined.ctx.writer.run(lambda tx: combined.cop.withdraw_in(tx, "RECCE-5", "JPN"), timeout=20)
    assert "RECCE-5" not in _uids(combined)
