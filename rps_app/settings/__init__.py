"""Installation-wide settings kept in the database (letterhead, signatory, install time)."""
