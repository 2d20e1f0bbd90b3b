"""The v1 URL map: auth, schema, docs, the endpoints of docs/api.md, and JSON 404s for everything else."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cases.api.views import ObtainToken
from sstransfer.api import not_found, without_trailing_slash

urlpatterns = [
    path("auth/token", ObtainToken.as_view(), name="api-token"),
    # Sign-in pages for the browsable API (session authentication).
    path("auth/", include("rest_framework.urls")),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("cases.api.urls")),
    # The same paths with a trailing slash (a habit of many clients); left out of the schema.
    re_path(r"^(?P<path>.+)/\Z", without_trailing_slash),
    # Any other path, newlines and all.
    re_path(r"^", not_found),
]
