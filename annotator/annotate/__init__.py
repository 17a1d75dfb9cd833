"""Annotate: assignment of articles, labels as append-only revisions, the labeling page."""
