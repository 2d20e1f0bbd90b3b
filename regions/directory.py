"""Every agency with its city and province, kept per process (regions/process_copies.py).

A list of cases names three agencies per row and their cities; a case page names them with their provinces.
Reading them from this copy costs one cache read per request where a query (and a hundred model instances)
did. The copy is shared by every request of the process: read it, never change what it holds.
"""

from __future__ import annotations

from regions.models import Agency
from regions.process_copies import ProcessCopy


def _agencies(ids: set[int] | None = None) -> dict[int, Agency]:
    return Agency.objects.select_related("city__province").in_bulk(ids)


AGENCY_DIRECTORY = ProcessCopy("regions:agency-directory-version", _agencies)


def agencies_by_id(ids: set[int]) -> dict[int, Agency]:
    """These agencies, from the process's copy; one created since the copy was built is read from the database."""
    directory = AGENCY_DIRECTORY.get()
    found = {pk: directory[pk] for pk in ids if pk in directory}
    missing = ids - found.keys()
    if missing:
        found.update(_agencies(missing))
    return found
