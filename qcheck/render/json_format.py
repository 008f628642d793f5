"""`--format json`: the report's documented shape (schema_version 1), sorted keys, stable bytes."""

from __future__ import annotations

import json


def render(report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
