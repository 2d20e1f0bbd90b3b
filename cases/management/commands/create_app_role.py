"""Create (or bring up to date) the application's least-privilege PostgreSQL role; see deploy/app_role.sql."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Run as the owner role (the one that runs migrations): create the application's role, which may read and "
        "write rows but owns no table, cannot alter the schema or TRUNCATE, and cannot change or delete a case event."
    )

    def add_arguments(self, parser: object) -> None:
        parser.add_argument("role", help="the application's role name, e.g. sstransfer_app")  # type: ignore[attr-defined]
        parser.add_argument("--password", default="", help="its password (login); empty keeps an existing one")  # type: ignore[attr-defined]

    def handle(self, *args: object, role: str, password: str, **options: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(f"Roles are a PostgreSQL matter; this database is {connection.vendor}.")
        from psycopg import sql

        name = sql.Identifier(role)
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(connection.settings_dict["NAME"]), name),
            sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(name),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
            # The audit trail: the application adds events, never changes or removes one.
            sql.SQL("REVOKE UPDATE, DELETE ON cases_caseevent FROM {}").format(name),
            # Tables and sequences later migrations create (as this owner) are granted the same way.
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}")
            .format(name),
            sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}").format(name),
        ]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            exists = cursor.fetchone() is not None
            if not exists:
                create = sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT").format(name)
                cursor.execute(create.as_string(cursor.connection))
            if password:
                cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(name, sql.Literal(password))
                               .as_string(cursor.connection))
            for statement in statements:
                cursor.execute(statement.as_string(cursor.connection))
        self.stdout.write(f"{'Updated' if exists else 'Created'} role {role}: rows only, no schema, no TRUNCATE.")
