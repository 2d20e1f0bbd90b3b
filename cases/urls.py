from django.urls import path

from cases.views import clerk

app_name = "cases"

urlpatterns = [
    path("", clerk.home, name="home"),
]
