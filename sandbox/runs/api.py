"""REST endpoints of runs."""

import uuid

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status
from ninja.throttling import AnonRateThrottle

from sandbox.runs import selectors, services
from sandbox.runs.schemas import ErrorOut, PingRunIn, RunOut

router = Router(tags=["runs"])


@router.post(
    "/ping",
    response={201: RunOut, 503: ErrorOut},
    throttle=[AnonRateThrottle(settings.PING_RUN_RATE)],
    summary="Start a ping run: a worker publishes numbered frames to the run's WebSocket",
)
def ping_run_start(request: HttpRequest, payload: PingRunIn):
    run = services.run_ping_start(frames=payload.frames)
    if run.state == run.State.FAILED:
        return Status(503, {"detail": run.failure_reason})
    return Status(201, run)


@router.get("/{run_id}", response={200: RunOut, 404: ErrorOut}, summary="A run and its state")
def run_detail(request: HttpRequest, run_id: uuid.UUID):
    run = selectors.run_get(run_id=run_id)
    if run is None:
        return Status(404, {"detail": f"run {run_id}: no such run"})
    return Status(200, run)
