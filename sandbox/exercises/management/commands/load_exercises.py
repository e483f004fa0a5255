"""Load the exercises that come with ScaleLab (examples/exercises/*.json), published, for an
instructor; running it again updates them in place rather than duplicating them."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

from sandbox.exercises import services
from sandbox.exercises.models import Exercise

EXERCISES = Path(settings.BASE_DIR) / "examples" / "exercises"


class Command(BaseCommand):
    help = "Load the shipped exercises for an instructor (created if missing), published."

    def add_arguments(self, parser):
        parser.add_argument(
            "--author",
            default=settings.SHIPPED_EXERCISES_AUTHOR,
            help="Instructor's username (default: SHIPPED_EXERCISES_AUTHOR).",
        )

    def handle(self, *args, author: str, **options):
        user, created = get_user_model().objects.get_or_create(username=author)
        if created:
            user.set_unusable_password()
            user.save()
        user.user_permissions.add(
            Permission.objects.get(codename="author_exercises", content_type__app_label="exercises")
        )
        files = sorted(EXERCISES.glob("*.json"))
        if not files:
            raise CommandError(f"no exercises in {EXERCISES}")
        for path in files:
            data = json.loads(path.read_text())
            exercise = Exercise.objects.filter(author=user, title=data["title"]).first()
            if exercise is None:
                exercise = services.exercise_create(
                    author=user, title=data["title"], brief_md=data["brief_md"], spec=data["spec"]
                )
            else:
                services.exercise_update(
                    exercise=exercise,
                    title=data["title"],
                    brief_md=data["brief_md"],
                    spec=data["spec"],
                )
            services.exercise_publish(exercise=exercise, published=True)
            self.stdout.write(f"{exercise.title}: /x/{exercise.token}")
