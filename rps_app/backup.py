"""`rps backup FILE`."""
