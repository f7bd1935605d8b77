"""Exercise endpoints for running an exercise: the clock, inboxes,
observations and evaluations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["exercise"])
