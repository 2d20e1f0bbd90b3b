"""The Celery application: `make worker` and `make beat` run it (docs/deploy.md)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sstransfer.settings")

app = Celery("sstransfer")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
