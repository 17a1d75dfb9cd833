"""Projects: a schema version, an overlap and the articles labeled under them."""
