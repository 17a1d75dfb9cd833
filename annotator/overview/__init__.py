"""A lead's view of a project: find articles by text and state, see progress, assign work."""
