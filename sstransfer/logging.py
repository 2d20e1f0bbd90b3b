from __future__ import annotations

import json
import logging

from cases.ids import mask_in_text


def _masked(value: object) -> object:
    return mask_in_text(value) if isinstance(value, str) else value


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so log shippers need no parsing rules.

    Full ID numbers are masked in every line, whoever logs it: the API's paths carry them (docs/api.md), and Django's
    own warnings ("Not Found: /api/v1/workers/…") repeat the path.
    """

    def format(self, record: logging.LogRecord) -> str:
        payload = {"level": record.levelname, "logger": record.name, "message": _masked(record.getMessage())}
        payload.update({key: _masked(value) for key, value in getattr(record, "fields", {}).items()})
        if record.exc_info:
            payload["exc"] = _masked(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)
