"""A lead's care of a project's articles once imported: correct a title or outlet, delete articles."""
