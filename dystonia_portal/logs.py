"""Structured logs: one JSON object per line, with the request id of the request being served."""

import contextvars
import json
import logging
import time

request_id_var = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request that is being served (or "-")."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One line of JSON per record.

    Records about a response (Django's `django.request` logger writes one for every 4xx and
    5xx) also carry method, path, status and duration. Never the query string, the body,
    cookies or headers: those hold passwords, session ids and what people wrote.
    """

    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            line["request_id"] = getattr(request, "request_id", line["request_id"])
            line["method"] = request.method
            line["path"] = request.path
            started_at = getattr(request, "started_at", None)
            if started_at is not None:
                line["duration_ms"] = round((time.monotonic() - started_at) * 1000, 1)
        status = getattr(record, "status_code", None)
        if status is not None:
            line["status"] = status
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
