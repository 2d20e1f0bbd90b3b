from django.urls import path

from cases import views
from cases.views import portal

app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    # The public worker portal.
    path("status/", portal.status, name="status"),
    path("apply/", portal.apply, name="apply"),
    path("apply/done/", portal.apply_done, name="apply_done"),
    path("act/", portal.act, name="act"),
    path("act/case/", portal.act_case, name="act_case"),
    path("act/withdraw/", portal.act_withdraw, name="act_withdraw"),
    path("act/leave/", portal.act_leave, name="act_leave"),
    path("verify/", portal.verify_form, name="verify_form"),
    path("verify/<str:code>/", portal.verify, name="verify"),
    path("agencies/", portal.agencies, name="agencies"),
]
