"""`python -m bench` (what `make bench` runs): seed, serve as in production, drive with wrk, report.

Environment: SCALE (cases, default 1,000,000), BENCH_DATABASE_URL (default the local sst_bench),
DURATION (seconds per endpoint and round, default 10), ROUNDS (default 1; the figures are the median),
CONNECTIONS (default 16), PORT (default a free one), ONLY (comma-separated endpoint names). docs/bench.md says
how to read the table.
"""

from __future__ import annotations

import os
import sys

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/sst_bench"


def configure() -> None:
    """Production settings for the server and for this process's instrumented requests alike."""
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sstransfer.settings")
    os.environ["DJANGO_DEBUG"] = "off"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    # No TLS in front of the benchmark: HTTPS redirects would measure nothing but the redirect.
    os.environ.setdefault("SECURE_SSL_REDIRECT", "off")
    os.environ.setdefault("CONN_MAX_AGE", "60")
    os.environ.setdefault("REQUEST_LOG_LEVEL", "INFO")
    # Production has Redis (docs/deploy.md): the limits, the cached tab counts and the outbox's broker share it.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")


if __name__ == "__main__":
    configure()
    import django

    django.setup()
    from bench.run import main

    sys.exit(main())
