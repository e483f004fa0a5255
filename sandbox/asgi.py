"""ASGI entry point served by daphne: HTTP goes to Django, WebSockets to Channels consumers,
behind session authentication and an Origin check against ALLOWED_HOSTS."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from sandbox.exercises.routing import websocket_urlpatterns as exercise_routes  # noqa: E402
from sandbox.runs.routing import websocket_urlpatterns as run_routes  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(run_routes + exercise_routes))
        ),
    }
)
