"""Checks a scenario document against the limits and the engine's own format before it is
stored, and reports the engine's validation (errors and warnings that name their place)."""

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from pydantic import ValidationError

from simulation.scenario import Scenario
from simulation.validate import Issue, pydantic_issue, validate_scenario


class DocumentRejected(Exception):
    """The document cannot be stored: it breaks the format or a limit. Every issue names
    its place, relative to the document."""

    def __init__(self, issues: list[Issue], status: int = 422) -> None:
        super().__init__("; ".join(str(issue) for issue in issues))
        self.issues = issues
        self.status = status


@dataclass
class DocumentProblems:
    """What the engine says of a well-formed document: a design in progress may be stored
    with errors (a node not yet connected); it cannot run until they are fixed."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {
            "errors": [issue.as_dict() for issue in self.errors],
            "warnings": [issue.as_dict() for issue in self.warnings],
        }


def document_check(document: Any) -> DocumentProblems:
    """Raise DocumentRejected when the document breaks a limit or the format."""
    if not isinstance(document, dict):
        raise DocumentRejected([Issue("", "a scenario must be a JSON object")])
    size = len(json.dumps(document, separators=(",", ":")).encode())
    if size > settings.SCENARIO_MAX_BYTES:
        message = f"the document is {size} bytes; at most {settings.SCENARIO_MAX_BYTES} allowed"
        raise DocumentRejected([Issue("", message)], status=413)
    limits = [("nodes", settings.SCENARIO_MAX_NODES), ("edges", settings.SCENARIO_MAX_EDGES)]
    for key, limit in limits:
        items = document.get(key)
        if isinstance(items, list) and len(items) > limit:
            message = f"{len(items)} {key}; a design may have at most {limit}"
            raise DocumentRejected([Issue(key, message)])
    result = validate_scenario(document)
    if result.scenario is None:
        raise DocumentRejected(result.errors)
    _check_types(document)
    return DocumentProblems(errors=result.errors, warnings=result.warnings)


def _check_types(document: dict) -> None:
    """Refuse what the engine's models would coerce, such as `"users": "1000"` or `true`:
    the stored document must hold the types the format names, not merely convert to them.
    JSON mode, because in Python mode strict would also refuse strings for enumerations."""
    try:
        Scenario.model_validate_json(json.dumps(document), strict=True)
    except ValidationError as exc:
        raise DocumentRejected([pydantic_issue(err, document) for err in exc.errors()]) from None
