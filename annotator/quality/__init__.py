"""Annotator quality beside agreement: competence estimated from the overlap (Dawid-Skene), control
items, and an aggregate that weighs each annotator by what they have shown."""
