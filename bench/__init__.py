"""`make bench`: a national volume seeded into PostgreSQL, served as in production, measured with wrk (docs/bench.md)."""
