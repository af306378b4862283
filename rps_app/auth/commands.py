"""`rps create-user`."""
