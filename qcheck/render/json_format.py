"""`--format json`: the report's documented shape (schema_version 1), sorted keys, stable bytes.

One model gives the report object itself; several give {"schema_version": 1, "reports": [...]}.
"""

from __future__ import annotations

import json


def render(reports, **_options) -> str:
    if len(reports) == 1:
        data = reports[0].to_dict()
    else:
        data = {"schema_version": 1, "reports": [r.to_dict() for r in reports]}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
