"""Clients: the people the RPS receives, their identity, and who read or changed it."""
