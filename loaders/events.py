"""Structured events for schedulers: human lines or JSON lines on stderr.

``eduwh build --log-format json`` writes one JSON object per event
(``{"ts": ..., "level": ..., "event": ..., ...fields}``) so cron wrappers,
systemd's journal or a log shipper can act on them without parsing prose.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO


class EventLog:
    def __init__(self, fmt: str = "text", stream: TextIO | None = None, run_id: str | None = None) -> None:
        if fmt not in ("text", "json"):
            raise ValueError("log format must be text or json")
        self.fmt = fmt
        self.stream = stream or sys.stderr
        self.run_id = run_id

    @property
    def is_json(self) -> bool:
        return self.fmt == "json"

    def emit(self, event: str, level: str = "info", **fields: Any) -> None:
        if self.fmt == "json":
            rec = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "level": level, "event": event}
            if self.run_id:
                rec["run_id"] = self.run_id
            rec.update(fields)
            self.stream.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
            self.stream.flush()
