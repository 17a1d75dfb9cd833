"""Peak resident memory, as every benchmark reports it."""

from __future__ import annotations

import resource


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """The peak resident memory in MB of this process (RUSAGE_SELF), or of the largest of its
    finished child processes (RUSAGE_CHILDREN); Linux counts ru_maxrss in kilobytes."""
    return resource.getrusage(who).ru_maxrss / 1024
