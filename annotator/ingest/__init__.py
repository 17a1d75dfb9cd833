"""Ingest: articles from .txt folders, JSONL and Label Studio task JSON."""
