"""Writes of scenarios: create, save with a revision (refusing stale saves), restore,
delete, fork, share links, and handing anonymous drafts over to an account."""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sandbox.accounts.visitors import Visitor
from sandbox.scenarios.documents import document_check
from sandbox.scenarios.models import Scenario, ScenarioRevision, ShareLink
from sandbox.scenarios.selectors import scenarios_owned_by

SHARE_TOKEN_BYTES = 32  # 256 bits


class ScenarioConflict(Exception):
    """A save based on a revision that is no longer the latest."""

    def __init__(self, *, base_revision: int, current_revision: int) -> None:
        super().__init__(
            f"base_revision: this save is based on revision {base_revision}, but the scenario "
            f"is at revision {current_revision} (saved elsewhere, perhaps in another tab). "
            "Reload it, or save as a copy."
        )
        self.current_revision = current_revision


class LimitExceeded(Exception):
    """A documented limit (docs/limits.md) was reached."""

    def __init__(self, message: str, *, status: int = 429) -> None:
        super().__init__(message)
        self.status = status


def _check_save_rate(*, visitor: Visitor) -> None:
    since = timezone.now() - timedelta(minutes=1)
    if visitor.user is not None:
        mine = Q(author=visitor.user)
    else:
        mine = Q(author__isnull=True, session_key=visitor.session_key)
    recent = ScenarioRevision.objects.filter(mine, created_at__gte=since).count()
    if recent >= settings.SCENARIO_SAVES_PER_MINUTE:
        raise LimitExceeded(
            f"too many saves: at most {settings.SCENARIO_SAVES_PER_MINUTE} a minute; "
            "wait a few seconds and save again"
        )


def _lock_owner(*, visitor: Visitor) -> None:
    """Hold the owner's row (the user, or the anonymous visitor's session) until the
    transaction ends, so that a limit counted before an insert holds for parallel requests
    (on SQLite, IMMEDIATE transactions already serialise every writer)."""
    if visitor.user is not None:
        rows = get_user_model().objects.filter(pk=visitor.user.pk)
    else:
        rows = Session.objects.filter(session_key=visitor.session_key)
    list(rows.select_for_update().values_list("pk", flat=True))


def _add_revision(*, scenario: Scenario, visitor: Visitor, restored_from: int | None = None):
    ScenarioRevision.objects.create(
        scenario=scenario,
        number=scenario.revision,
        title=scenario.title,
        description=scenario.description,
        document=scenario.document,
        author=visitor.user,
        session_key="" if visitor.user else visitor.session_key,
        restored_from=restored_from,
    )
    keep_from = scenario.revision - settings.SCENARIO_REVISIONS_KEPT
    if keep_from > 0:
        scenario.revisions.filter(number__lte=keep_from).delete()


def scenario_create(
    *,
    visitor: Visitor,
    title: str,
    description: str,
    document: dict[str, Any],
    forked_from: Scenario | None = None,
) -> Scenario:
    problems = document_check(document)
    with transaction.atomic():
        _lock_owner(visitor=visitor)
        _check_save_rate(visitor=visitor)
        if scenarios_owned_by(visitor=visitor).count() >= settings.SCENARIOS_PER_OWNER:
            raise LimitExceeded(
                f"you have {settings.SCENARIOS_PER_OWNER} scenarios, the most allowed; "
                "delete one to make room",
                status=409,
            )
        scenario = Scenario.objects.create(
            owner=visitor.user,
            session_key="" if visitor.user else visitor.session_key,
            title=title,
            description=description,
            document=document,
            problems=problems.as_dict(),
            forked_from=forked_from,
        )
        _add_revision(scenario=scenario, visitor=visitor)
    return scenario


def scenario_save(
    *,
    scenario: Scenario,
    visitor: Visitor,
    base_revision: int,
    title: str | None,
    description: str | None,
    document: dict[str, Any],
    restored_from: int | None = None,
) -> Scenario:
    problems = document_check(document)
    with transaction.atomic():
        _lock_owner(visitor=visitor)
        _check_save_rate(visitor=visitor)
        locked = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if locked.revision != base_revision:
            raise ScenarioConflict(base_revision=base_revision, current_revision=locked.revision)
        locked.revision += 1
        locked.document = document
        locked.problems = problems.as_dict()
        if title is not None:
            locked.title = title
        if description is not None:
            locked.description = description
        locked.save()
        _add_revision(scenario=locked, visitor=visitor, restored_from=restored_from)
    return locked


def scenario_revision_restore(
    *, scenario: Scenario, visitor: Visitor, revision: ScenarioRevision, base_revision: int
) -> Scenario:
    """Restoring makes a new revision with the old one's content; history is never lost."""
    return scenario_save(
        scenario=scenario,
        visitor=visitor,
        base_revision=base_revision,
        title=revision.title,
        description=revision.description,
        document=revision.document,
        restored_from=revision.number,
    )


def scenario_delete(*, scenario: Scenario) -> None:
    scenario.delete()


def scenario_fork(*, source: Scenario, visitor: Visitor) -> Scenario:
    title = source.title if source.title.startswith("Copy of ") else f"Copy of {source.title}"
    return scenario_create(
        visitor=visitor,
        title=title[:200],
        description=source.description,
        document=source.document,
        forked_from=source,
    )


def share_link_create(*, scenario: Scenario) -> ShareLink:
    with transaction.atomic():
        # Locking the scenario makes the count and the insert one step for parallel requests.
        list(Scenario.objects.select_for_update().filter(pk=scenario.pk).values_list("pk"))
        active = scenario.share_links.filter(revoked_at__isnull=True).count()
        if active >= settings.SHARE_LINKS_PER_SCENARIO:
            raise LimitExceeded(
                f"a scenario may have at most {settings.SHARE_LINKS_PER_SCENARIO} live share "
                "links; revoke one first",
                status=409,
            )
        return ShareLink.objects.create(
            scenario=scenario, token=secrets.token_urlsafe(SHARE_TOKEN_BYTES)
        )


def share_link_revoke(*, link: ShareLink) -> ShareLink:
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def scenario_drafts_claim(*, session_key: str, user: AbstractBaseUser) -> int:
    """Hand the drafts a browser session made before signing in over to the account."""
    if not session_key:
        return 0
    drafts = Scenario.objects.filter(owner__isnull=True, session_key=session_key)
    with transaction.atomic():
        ScenarioRevision.objects.filter(
            scenario__in=drafts, author__isnull=True, session_key=session_key
        ).update(author=user, session_key="")
        return drafts.update(owner=user, session_key="")
