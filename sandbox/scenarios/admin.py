from django.contrib import admin

from sandbox.scenarios.models import Scenario, ScenarioRevision, ShareLink


class ShareLinkInline(admin.TabularInline):
    model = ShareLink
    extra = 0
    readonly_fields = ["token", "created_at", "revoked_at"]


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "revision", "forked_from", "updated_at"]
    search_fields = ["title", "description", "owner__username", "owner__email", "id"]
    list_select_related = ["owner", "forked_from"]
    raw_id_fields = ["owner", "forked_from"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ShareLinkInline]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["scenario", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["token", "scenario__title", "scenario__owner__username"]
    list_select_related = ["scenario"]
    raw_id_fields = ["scenario"]


@admin.register(ScenarioRevision)
class ScenarioRevisionAdmin(admin.ModelAdmin):
    list_display = ["scenario", "number", "author", "created_at"]
    search_fields = ["scenario__title", "author__username"]
    raw_id_fields = ["scenario", "author"]
