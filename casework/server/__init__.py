"""Team server mode on PostgreSQL: set-up (``setup``), the role table (``roles``) and
connection profiles (``profiles``)."""
