"""Users, roles, login, API tokens and the permission table."""
