"""The REST API: one NinjaAPI with a router per app; OpenAPI at /api/openapi.json."""

from ninja import NinjaAPI

from sandbox.runs.api import router as runs_router

api = NinjaAPI(
    title="ScaleLab API",
    version="1",
    description="Designs, runs and exercises of ScaleLab.",
    urls_namespace="api",
)
api.add_router("/runs", runs_router)
