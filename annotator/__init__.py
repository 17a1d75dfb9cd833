"""Stance annotation studio: label news articles, measure agreement, export gold."""

__version__ = "0.1.0"
