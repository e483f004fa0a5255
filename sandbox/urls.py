"""URL routes; WebSocket routes are in sandbox/asgi.py."""

from django.contrib import admin
from django.urls import path, re_path

from sandbox.api import api
from sandbox.web.views import index

handler400 = "sandbox.web.errors.bad_request"
handler403 = "sandbox.web.errors.permission_denied"
handler404 = "sandbox.web.errors.page_not_found"
handler500 = "sandbox.web.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", index, name="index"),
    # Pages of the browser app, which routes them itself (so no captured arguments here).
    path("new", index, name="new-design"),
    path("pipeline", index, name="pipeline"),
    re_path(r"^d/[^/]+$", index, name="design"),
    re_path(r"^s/[^/]+$", index, name="shared"),
    re_path(r"^x/[^/]+$", index, name="exercise"),
    re_path(r"^x/[^/]+/work$", index, name="exercise-work"),
    path("exercises", index, name="exercises"),
    re_path(r"^exercises/[^/]+$", index, name="exercise-edit"),
    re_path(r"^exercises/[^/]+/submissions$", index, name="exercise-submissions"),
    re_path(r"^exercises/[^/]+/submissions/[^/]+$", index, name="exercise-submission"),
    re_path(r"^account/reset/[^/]+/[^/]+$", index, name="password-reset"),
]
