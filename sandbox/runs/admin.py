from django.contrib import admin

from sandbox.runs.models import Run


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "state", "frames_expected", "worker", "created_at"]
    list_filter = ["kind", "state"]
    search_fields = ["id", "worker"]
    readonly_fields = ["created_at", "started_at", "finished_at"]
