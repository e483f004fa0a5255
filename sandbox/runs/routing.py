"""WebSocket routes of runs."""

from django.urls import path

from sandbox.runs.consumers import RunConsumer

websocket_urlpatterns = [
    path("ws/runs/<str:run_id>/", RunConsumer.as_asgi()),
]
