"""REST endpoints of runs: start a run of a scenario (or a ping run), list and read runs,
replay their frames and event log (also through a share link), start one again, and the
capacity curve."""

import uuid

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from sandbox.accounts.visitors import VisitorAuth
from sandbox.runs import selectors, services
from sandbox.runs.models import Run
from sandbox.runs.schemas import (
    CapacityIn,
    CapacityOut,
    ErrorOut,
    EventOut,
    FramesPageOut,
    PingRunIn,
    RunOut,
    RunStartIn,
)
from sandbox.scenarios.models import Scenario
from sandbox.scenarios.selectors import scenario_get_owned, share_link_get_active
from sandbox.web.throttling import AddressThrottle

router = Router(tags=["runs"], auth=VisitorAuth())
shared_runs_router = Router(tags=["shared"], auth=VisitorAuth())
capacity_router = Router(tags=["capacity"], auth=VisitorAuth())

FRAMES_PAGE_MAX = 1000


class PageQuery(Schema):
    after: int = Field(0, ge=0, description="Frames after this sequence number.")
    limit: int = Field(500, ge=1, le=FRAMES_PAGE_MAX)


def _owned_scenario(request: HttpRequest, scenario_id: uuid.UUID) -> Scenario:
    scenario = scenario_get_owned(visitor=request.auth, scenario_id=scenario_id)
    if scenario is None:
        raise HttpError(404, f"scenario {scenario_id}: no such scenario of yours")
    return scenario


def _readable_run(request: HttpRequest, run_id: uuid.UUID) -> Run:
    """The owner's run, or a ping run (the pipeline check, which belongs to nobody)."""
    run = selectors.run_get(run_id=run_id)
    if run is not None and run.kind == Run.Kind.PING:
        return run
    run = selectors.run_get_owned(visitor=request.auth, run_id=run_id)
    if run is None:
        raise HttpError(404, f"run {run_id}: no such run")
    services.run_fail_if_stale(run=run)
    return run


def _frames_page(run: Run, page: PageQuery) -> dict:
    frames = selectors.run_frames_page(run=run, after=page.after, limit=page.limit)
    more = len(frames) == page.limit
    return {"frames": frames, "next_after": frames[-1]["seq"] if more else None}


@router.post(
    "/ping",
    response={201: RunOut, 503: ErrorOut},
    throttle=[AddressThrottle("ping", "PING_RUN_RATE")],
    summary="Start a ping run: a worker publishes numbered frames to the run's WebSocket",
)
def ping_run_start(request: HttpRequest, payload: PingRunIn):
    run = services.run_ping_start(frames=payload.frames)
    if run.state == run.State.FAILED:
        return Status(503, {"detail": run.failure_reason})
    return Status(201, run)


@router.post(
    "",
    response={201: RunOut, 404: ErrorOut, 503: ErrorOut},
    summary="Start a run of one of your scenarios; watch it on its WebSocket",
)
def run_start(request: HttpRequest, payload: RunStartIn):
    run = services.run_start(
        scenario=_owned_scenario(request, payload.scenario),
        visitor=request.auth,
        engine=payload.engine,
        duration_s=payload.duration_s,
        speed=payload.speed,
        seed=payload.seed,
    )
    if run.state == run.State.FAILED:
        return Status(503, {"detail": run.failure_reason})
    return Status(201, run)


@router.get("", response={200: list[RunOut], 404: ErrorOut}, summary="Runs of a scenario")
def run_list(request: HttpRequest, scenario: uuid.UUID):
    return selectors.runs_of_scenario(scenario=_owned_scenario(request, scenario))


@router.get("/{run_id}", response={200: RunOut, 404: ErrorOut}, summary="A run and its state")
def run_detail(request: HttpRequest, run_id: uuid.UUID):
    return _readable_run(request, run_id)


@router.get("/{run_id}/frames", response={200: FramesPageOut, 404: ErrorOut})
def run_frames(request: HttpRequest, run_id: uuid.UUID, page: Query[PageQuery]):
    return _frames_page(_readable_run(request, run_id), page)


@router.get("/{run_id}/events", response={200: list[EventOut], 404: ErrorOut})
def run_event_log(request: HttpRequest, run_id: uuid.UUID):
    return selectors.run_events(run=_readable_run(request, run_id))


@router.post(
    "/{run_id}/again",
    response={201: RunOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut},
    summary="Start the run again, with the same snapshot and options",
)
def run_again(request: HttpRequest, run_id: uuid.UUID):
    run = _readable_run(request, run_id)
    if run.kind != Run.Kind.SIMULATION:
        raise HttpError(409, "only simulation runs can be started again")
    if run.active:
        raise HttpError(409, f"the run is still {run.state}; stop it first")
    again = services.run_start_again(run=run, visitor=request.auth)
    if again.state == again.State.FAILED:
        return Status(503, {"detail": again.failure_reason})
    return Status(201, again)


# --- recorded runs through a share link -------------------------------------------------------


def _shared_run(token: str, run_id: uuid.UUID) -> Run:
    run = selectors.run_get_shared(token=token, run_id=run_id)
    if run is None:
        raise HttpError(404, "no such run behind this share link (or the link was revoked)")
    return run


@shared_runs_router.get("/{token}/runs", response={200: list[RunOut], 404: ErrorOut})
def shared_run_list(request: HttpRequest, token: str):
    link = share_link_get_active(token=token)
    if link is None:
        raise HttpError(404, "this share link does not exist or was revoked")
    return selectors.runs_of_scenario(scenario=link.scenario)


@shared_runs_router.get("/{token}/runs/{run_id}", response={200: RunOut, 404: ErrorOut})
def shared_run_detail(request: HttpRequest, token: str, run_id: uuid.UUID):
    return _shared_run(token, run_id)


@shared_runs_router.get(
    "/{token}/runs/{run_id}/frames", response={200: FramesPageOut, 404: ErrorOut}
)
def shared_run_frames(request: HttpRequest, token: str, run_id: uuid.UUID, page: Query[PageQuery]):
    return _frames_page(_shared_run(token, run_id), page)


@shared_runs_router.get(
    "/{token}/runs/{run_id}/events", response={200: list[EventOut], 404: ErrorOut}
)
def shared_run_events(request: HttpRequest, token: str, run_id: uuid.UUID):
    return selectors.run_events(run=_shared_run(token, run_id))


# --- capacity curve ---------------------------------------------------------------------------


@capacity_router.post(
    "",
    response={202: CapacityOut, 404: ErrorOut},
    summary="Run the scenario at users in logarithmic steps, fanned out over the workers",
)
def capacity_start(request: HttpRequest, scenario: uuid.UUID, payload: CapacityIn):
    curve = services.capacity_start(
        scenario=_owned_scenario(request, scenario),
        visitor=request.auth,
        users_min=payload.users_min,
        users_max=payload.users_max,
        points=payload.points,
        latency_target_ms=payload.latency_target_ms,
        duration_s=payload.duration_s,
    )
    return Status(202, curve)


@capacity_router.get("/{curve_id}", response={200: CapacityOut, 404: ErrorOut})
def capacity_detail(request: HttpRequest, curve_id: uuid.UUID):
    curve = selectors.capacity_curve_get_owned(visitor=request.auth, curve_id=curve_id)
    if curve is None:
        raise HttpError(404, f"capacity curve {curve_id}: no such curve of yours")
    return curve
