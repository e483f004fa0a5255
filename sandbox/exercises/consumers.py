"""Grading progress, live: a student watches their submission, an instructor watches every
submission of their exercise. Each message is `submission.progress` with the submission's
state, units done of total, and (once graded) its score and report."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from sandbox.exercises import selectors, services
from sandbox.exercises.models import Exercise

CLOSE_NOT_FOUND = 4404


class GradingConsumer(AsyncWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        await self.accept()
        kwargs = self.scope["url_route"]["kwargs"]
        found = await database_sync_to_async(self._authorise)(kwargs)
        if found is None:
            await self.send(
                text_data=json.dumps(
                    {"type": "error", "code": "not_found", "message": "nothing of yours here"}
                )
            )
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group, current = found
        await self.channel_layer.group_add(self.group, self.channel_name)
        for summary in current:
            await self.submission_progress({"type": "submission.progress", "submission": summary})

    def _authorise(self, kwargs: dict) -> tuple[str, list[dict]] | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        if "submission_id" in kwargs:
            submission = selectors.submission_get_visible(
                user=user, submission_id=kwargs["submission_id"]
            )
            if submission is None:
                return None
            return f"submission.{submission.id}", [services.submission_summary(submission)]
        exercise = Exercise.objects.filter(id=kwargs["exercise_id"], author=user).first()
        if exercise is None:
            return None
        submissions = selectors.submissions_of_exercise(exercise=exercise)
        return f"exercise.{exercise.id}", [services.submission_summary(s) for s in submissions]

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def submission_progress(self, event: dict) -> None:
        await self.send(text_data=json.dumps(event))
