"""REST endpoints of scenarios: the owner's CRUD with revisions, share links, forks,
import and export, and the engine's validate and analyze for stored or posted scenarios.

Someone who does not own a scenario gets 404 for it, as if it did not exist."""

import json
import math
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from ninja import File, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from sandbox.accounts.visitors import Visitor, VisitorAuth
from sandbox.scenarios import selectors, services
from sandbox.scenarios.documents import DocumentRejected, document_check
from sandbox.scenarios.models import Scenario, ShareLink
from sandbox.scenarios.schemas import (
    AnalysisOut,
    ConflictOut,
    DetailOut,
    DocumentIn,
    RestoreIn,
    RevisionOut,
    RevisionSummaryOut,
    ScenarioIn,
    ScenarioOut,
    ScenarioSaveIn,
    ScenarioSummaryOut,
    SharedScenarioOut,
    ShareLinkOut,
    ValidationOut,
)
from sandbox.web.jsonbody import BodyRejected, json_parse
from simulation.analysis import analyze
from simulation.validate import Issue, validate_scenario

router = Router(tags=["scenarios"], auth=VisitorAuth())
shared_router = Router(tags=["shared"], auth=VisitorAuth())

NOT_FOUND = {404: DetailOut}


def _visitor(request: HttpRequest) -> Visitor:
    return request.auth


def _owned(request: HttpRequest, scenario_id: uuid.UUID) -> Scenario:
    scenario = selectors.scenario_get_owned(visitor=_visitor(request), scenario_id=scenario_id)
    if scenario is None:
        raise HttpError(404, f"scenario {scenario_id}: no such scenario of yours")
    return scenario


def _shared(token: str) -> ShareLink:
    link = selectors.share_link_get_active(token=token)
    if link is None:
        raise HttpError(404, "this share link does not exist or was revoked")
    return link


def _scenario_out(scenario: Scenario) -> dict:
    return {
        "id": scenario.id,
        "title": scenario.title,
        "description": scenario.description,
        "revision": scenario.revision,
        "forked_from_id": scenario.forked_from_id,
        "created_at": scenario.created_at,
        "updated_at": scenario.updated_at,
        "document": scenario.document,
        "problems": scenario.problems,
    }


def _link_out(request: HttpRequest, link: ShareLink) -> dict:
    return {
        "token": link.token,
        "url": request.build_absolute_uri(f"/s/{link.token}"),
        "active": link.active,
        "created_at": link.created_at,
        "revoked_at": link.revoked_at,
    }


def _export(scenario: Scenario) -> HttpResponse:
    name = slugify(scenario.title) or "scenario"
    response = HttpResponse(
        json.dumps(scenario.document, indent=2) + "\n", content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.scalelab.json"'
    return response


# --- the owner's scenarios --------------------------------------------------------------------


@router.get("", response=list[ScenarioSummaryOut], summary="Your scenarios, newest first")
def scenario_list(request: HttpRequest):
    return selectors.scenarios_owned_by(visitor=_visitor(request))


@router.post("", response={201: ScenarioOut}, summary="Create a scenario")
def scenario_create(request: HttpRequest, payload: ScenarioIn):
    scenario = services.scenario_create(
        visitor=_visitor(request),
        title=payload.title,
        description=payload.description,
        document=payload.document,
    )
    return Status(201, _scenario_out(scenario))


@router.post(
    "/import",
    response={201: ScenarioOut},
    summary="Import a scenario file (multipart field `file`)",
)
def scenario_import(request: HttpRequest, file: File[UploadedFile]):
    if file.size > settings.SCENARIO_MAX_BYTES:
        message = f"the file is {file.size} bytes; at most {settings.SCENARIO_MAX_BYTES} allowed"
        raise DocumentRejected([Issue("file", message)], status=413)
    try:
        document = json_parse(file.read())
    except BodyRejected as exc:
        if isinstance(exc.detail, str):
            raise DocumentRejected([Issue("file", exc.detail)]) from None
        raise DocumentRejected([Issue(i["path"], i["msg"]) for i in exc.detail]) from None
    if not isinstance(document, dict):
        raise DocumentRejected([Issue("", "a scenario file must hold a JSON object")])
    title = _imported_text(document.get("name"), 200) or _imported_text(file.name, 200)
    scenario = services.scenario_create(
        visitor=_visitor(request),
        title=title or "Imported scenario",
        description=_imported_text(document.get("description"), 10_000),
        document=document,
    )
    return Status(201, _scenario_out(scenario))


def _imported_text(value: object, limit: int) -> str:
    """A title or description taken from a file: text only, without NUL, at most `limit`."""
    text = value if isinstance(value, str) else ""
    return text.replace("\x00", "")[:limit].strip()


@router.post("/validate", response=ValidationOut, summary="Validate a posted scenario")
def scenario_validate_posted(request: HttpRequest, payload: DocumentIn):
    return _validation(payload.document)


@router.post(
    "/analyze",
    response={200: AnalysisOut, 422: DetailOut},
    summary="Analyse a posted scenario: SPOFs, largest number of users, bottleneck, cost",
)
def scenario_analyze_posted(request: HttpRequest, payload: DocumentIn):
    return _analysis(payload.document)


@router.get("/{scenario_id}", response={200: ScenarioOut, **NOT_FOUND}, summary="A scenario")
def scenario_detail(request: HttpRequest, scenario_id: uuid.UUID):
    return _scenario_out(_owned(request, scenario_id))


@router.put(
    "/{scenario_id}",
    response={200: ScenarioOut, 409: ConflictOut, **NOT_FOUND},
    summary="Save a scenario: a new revision, refused with 409 if `base_revision` is stale",
)
def scenario_save(request: HttpRequest, scenario_id: uuid.UUID, payload: ScenarioSaveIn):
    scenario = services.scenario_save(
        scenario=_owned(request, scenario_id),
        visitor=_visitor(request),
        base_revision=payload.base_revision,
        title=payload.title,
        description=payload.description,
        document=payload.document,
    )
    return _scenario_out(scenario)


@router.delete("/{scenario_id}", response={204: None, **NOT_FOUND}, summary="Delete a scenario")
def scenario_delete(request: HttpRequest, scenario_id: uuid.UUID):
    services.scenario_delete(scenario=_owned(request, scenario_id))
    return Status(204, None)


@router.get("/{scenario_id}/export", summary="Download the scenario file")
def scenario_export(request: HttpRequest, scenario_id: uuid.UUID):
    return _export(_owned(request, scenario_id))


@router.get("/{scenario_id}/validate", response={200: ValidationOut, **NOT_FOUND})
def scenario_validate(request: HttpRequest, scenario_id: uuid.UUID):
    return _validation(_owned(request, scenario_id).document)


@router.get("/{scenario_id}/analyze", response={200: AnalysisOut, 422: DetailOut, **NOT_FOUND})
def scenario_analyze(request: HttpRequest, scenario_id: uuid.UUID):
    return _analysis(_owned(request, scenario_id).document)


@router.post(
    "/{scenario_id}/fork",
    response={201: ScenarioOut, **NOT_FOUND},
    summary="Copy one of your scenarios",
)
def scenario_fork(request: HttpRequest, scenario_id: uuid.UUID):
    scenario = services.scenario_fork(
        source=_owned(request, scenario_id), visitor=_visitor(request)
    )
    return Status(201, _scenario_out(scenario))


# --- revisions ----------------------------------------------------------------------------------


@router.get("/{scenario_id}/revisions", response={200: list[RevisionSummaryOut], **NOT_FOUND})
def revision_list(request: HttpRequest, scenario_id: uuid.UUID):
    return selectors.revisions_of(scenario=_owned(request, scenario_id))


@router.get("/{scenario_id}/revisions/{number}", response={200: RevisionOut, **NOT_FOUND})
def revision_detail(request: HttpRequest, scenario_id: uuid.UUID, number: int):
    scenario = _owned(request, scenario_id)
    revision = selectors.revision_get(scenario=scenario, number=number)
    if revision is None:
        raise HttpError(404, f"revision {number}: no such revision (or no longer kept)")
    return revision


@router.post(
    "/{scenario_id}/revisions/{number}/restore",
    response={200: ScenarioOut, 409: ConflictOut, **NOT_FOUND},
    summary="Restore a revision: saves its content as a new revision",
)
def revision_restore(request: HttpRequest, scenario_id: uuid.UUID, number: int, payload: RestoreIn):
    scenario = _owned(request, scenario_id)
    revision = selectors.revision_get(scenario=scenario, number=number)
    if revision is None:
        raise HttpError(404, f"revision {number}: no such revision (or no longer kept)")
    scenario = services.scenario_revision_restore(
        scenario=scenario,
        visitor=_visitor(request),
        revision=revision,
        base_revision=payload.base_revision,
    )
    return _scenario_out(scenario)


# --- share links ----------------------------------------------------------------------------


@router.get("/{scenario_id}/share", response={200: list[ShareLinkOut], **NOT_FOUND})
def share_link_list(request: HttpRequest, scenario_id: uuid.UUID):
    links = selectors.share_links_of(scenario=_owned(request, scenario_id))
    return [_link_out(request, link) for link in links]


@router.post(
    "/{scenario_id}/share",
    response={201: ShareLinkOut, **NOT_FOUND},
    summary="Make a read-only share link",
)
def share_link_create(request: HttpRequest, scenario_id: uuid.UUID):
    link = services.share_link_create(scenario=_owned(request, scenario_id))
    return Status(201, _link_out(request, link))


@router.delete(
    "/{scenario_id}/share/{token}",
    response={200: ShareLinkOut, **NOT_FOUND},
    summary="Revoke a share link",
)
def share_link_revoke(request: HttpRequest, scenario_id: uuid.UUID, token: str):
    scenario = _owned(request, scenario_id)
    link = selectors.share_links_of(scenario=scenario).filter(token=token).first()
    if link is None:
        raise HttpError(404, "no such share link on this scenario")
    return _link_out(request, services.share_link_revoke(link=link))


# --- what a share link opens ------------------------------------------------------------------


@shared_router.get("/{token}", response={200: SharedScenarioOut, **NOT_FOUND})
def shared_detail(request: HttpRequest, token: str):
    scenario = _shared(token).scenario
    return {
        "title": scenario.title,
        "description": scenario.description,
        "revision": scenario.revision,
        "document": scenario.document,
        "owner": scenario.owner.get_username() if scenario.owner else "anonymous",
        "updated_at": scenario.updated_at,
        "problems": scenario.problems,
    }


@shared_router.get("/{token}/export", summary="Download the shared scenario file")
def shared_export(request: HttpRequest, token: str):
    return _export(_shared(token).scenario)


@shared_router.post(
    "/{token}/fork",
    response={201: ScenarioOut, **NOT_FOUND},
    summary="Fork a shared scenario into an editable copy of your own",
)
def shared_fork(request: HttpRequest, token: str):
    scenario = services.scenario_fork(source=_shared(token).scenario, visitor=_visitor(request))
    return Status(201, _scenario_out(scenario))


# --- the engine's verdicts --------------------------------------------------------------------


def _validation(document: dict) -> dict:
    result = validate_scenario(document)
    return {
        "valid": result.ok,
        "errors": [issue.as_dict() for issue in result.errors],
        "warnings": [issue.as_dict() for issue in result.warnings],
    }


def _analysis(document: dict):
    document_check(document)
    result = validate_scenario(document)
    if not result.ok:
        return Status(
            422,
            {"detail": [{"path": i.path, "msg": i.message} for i in result.errors]},
        )
    analysis = analyze(result.scenario)
    if not math.isfinite(analysis["cost_per_month"]):
        message = "is larger than a number can hold: lower the prices in the design"
        return Status(422, {"detail": [{"path": "cost_per_month", "msg": message}]})
    return analysis
