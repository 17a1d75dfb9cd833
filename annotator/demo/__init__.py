"""The demo: a fresh SQLite database with the sample corpus, a project and three users."""
