"""ASGI entry point served by daphne: HTTP goes to Django, WebSockets to Channels consumers,
behind session authentication and an Origin check against ALLOWED_HOSTS."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from sandbox.exercises.routing import websocket_urlpatterns as exercise_routes  # noqa: E402
from sandbox.runs.routing import websocket_urlpatterns as run_routes  # noqa: E402
from sandbox.web.consumers import NotFoundConsumer  # noqa: E402

# Last: any path no route above matches is answered `not_found`, not with an HTTP 500.
unknown_route = [re_path(r"", NotFoundConsumer.as_asgi())]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(run_routes + exercise_routes + unknown_route))
        ),
    }
)
