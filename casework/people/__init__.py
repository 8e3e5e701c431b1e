"""People, their addresses and the search for duplicates."""
