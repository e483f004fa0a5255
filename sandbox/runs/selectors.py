"""Reads of runs and their frames."""

import uuid

from sandbox.runs.models import Run, RunFrame


def run_get(*, run_id: uuid.UUID | str) -> Run | None:
    try:
        return Run.objects.get(id=run_id)
    except (Run.DoesNotExist, ValueError):
        return None


def run_frames_after(*, run: Run, after: int) -> list[dict]:
    return list(
        RunFrame.objects.filter(run=run, seq__gt=after)
        .order_by("seq")
        .values_list("payload", flat=True)
    )


def run_last_seq(*, run: Run) -> int:
    last = RunFrame.objects.filter(run=run).order_by("-seq").values_list("seq", flat=True).first()
    return last or 0
