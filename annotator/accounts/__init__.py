"""Accounts: users (create, disable, reset password), API tokens (list, revoke) and project members,
managed by admins and leads from pages, the API and the CLI."""
