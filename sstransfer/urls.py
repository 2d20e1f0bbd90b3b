from django.contrib import admin
from django.urls import include, path

from sstransfer.auth_views import ThrottledPasswordResetView
from sstransfer.views import healthz, readyz

handler500 = "sstransfer.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/v1/", include("sstransfer.api.urls")),
    path("admin/", admin.site.urls),
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cases.urls")),
]
