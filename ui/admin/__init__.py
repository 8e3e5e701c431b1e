"""Administration: users, key slots, teams, panels, settings."""
