"""`rps serve`: the production server."""
