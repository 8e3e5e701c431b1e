"""The shared core: who is signed in, the clock, audit, permissions, settings, errors, users."""
