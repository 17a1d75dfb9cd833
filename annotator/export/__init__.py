"""Export: versioned, verifiable gold datasets in several formats, streamed from the database."""
