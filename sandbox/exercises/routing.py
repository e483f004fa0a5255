"""WebSocket routes of exercises."""

from django.urls import path

from sandbox.exercises.consumers import GradingConsumer

websocket_urlpatterns = [
    path("ws/submissions/<uuid:submission_id>/", GradingConsumer.as_asgi()),
    path("ws/exercises/<uuid:exercise_id>/", GradingConsumer.as_asgi()),
]
