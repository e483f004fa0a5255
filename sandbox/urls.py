"""URL routes; WebSocket routes are in sandbox/asgi.py."""

from django.contrib import admin
from django.urls import path

from sandbox.api import api
from sandbox.web.views import index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", index, name="index"),
    # Pages of the browser app, which routes them itself.
    path("s/<str:token>", index, name="shared"),
    path("account/reset/<str:uid>/<str:token>", index, name="password-reset"),
]
