"""What text and JSON a user sends may hold: nothing a database refuses or a reader cannot see.

PostgreSQL refuses NUL in text and a lone surrogate cannot be encoded as UTF-8, so either
would fail the write as a 500; both are refused at the door instead, on every database.
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_JSON_DEPTH = 32
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("holds a NUL character (U+0000)")
    if LONE_SURROGATE.search(value):
        raise ValueError("holds a lone surrogate, which is not text")
    return value


def storable_json(value: Any, depth: int = 0) -> Any:
    """A JSON value nested at most MAX_JSON_DEPTH deep, its strings and keys storable, its numbers finite."""
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"is nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, str):
        storable_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"holds {value}, which JSON cannot carry")
    elif isinstance(value, dict):
        for key, item in value.items():
            storable_text(str(key))
            storable_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            storable_json(item, depth + 1)
    return value
