"""Rooms and beds of the building. Knows nothing of who sleeps in them (that is `stays`)."""
