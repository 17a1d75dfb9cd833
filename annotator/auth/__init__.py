"""Auth: users with roles, browser sessions, hashed API tokens, role checks on every route."""
