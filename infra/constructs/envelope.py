"""The contract's error envelope as the edge writes it (API Gateway's gateway responses, prod's WAF blocks)."""

from __future__ import annotations

import json


def error_envelope(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message, "details": []}})
