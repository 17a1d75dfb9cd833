"""The blind control share: articles whose annotators never see model suggestions.

Membership depends on the article id alone (a stable hash), so it never changes as
articles are added, and the agreement report can compare the two groups.
"""

from __future__ import annotations

import hashlib


def in_blind_control(article_id: int, share: float) -> bool:
    digest = hashlib.sha256(f"blind-control:{article_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share
