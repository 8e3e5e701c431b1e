"""What an administrator does beyond users: create a database, the administration overview."""
