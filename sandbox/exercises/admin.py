from django.contrib import admin

from sandbox.exercises.models import Exercise, Submission


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "author__username"]
    raw_id_fields = ["author"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["id", "exercise", "student", "state", "score", "created_at"]
    list_filter = ["state"]
    search_fields = ["exercise__title", "student__username"]
    raw_id_fields = ["exercise", "student", "scenario"]
