"""Exercise desk endpoints, in two parts along the desk's seam: planning the
exercise and its MSEL (:mod:`.routes_msel`), and running it — the clock, the
inboxes (:mod:`.routes_run`); and what the players did — observations,
evaluations and the after-action report (:mod:`.routes_report`)."""

from __future__ import annotations

from fastapi import APIRouter

from .routes_msel import router as msel_router
from .routes_report import router as report_router
from .routes_run import router as run_router

router = APIRouter()
router.include_router(msel_router)
router.include_router(run_router)
router.include_router(report_router)
