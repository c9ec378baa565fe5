import json
import logging
from datetime import datetime, timezone


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message, and the exception if any."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)
