"""URL routes; WebSocket routes are in sandbox/asgi.py."""

from django.contrib import admin
from django.urls import path

from sandbox.api import api
from sandbox.web.views import index

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", index, name="index"),
]
