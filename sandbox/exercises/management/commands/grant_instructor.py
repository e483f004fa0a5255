"""Give a user the instructor permission (or take it away with --revoke)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Give a user the permission to author exercises (or take it with --revoke)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--revoke", action="store_true")

    def handle(self, *args, username: str, revoke: bool, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {username!r}") from None
        permission = Permission.objects.get(
            codename="author_exercises", content_type__app_label="exercises"
        )
        if revoke:
            user.user_permissions.remove(permission)
            self.stdout.write(f"{username} is no longer an instructor")
        else:
            user.user_permissions.add(permission)
            self.stdout.write(f"{username} is now an instructor")
