"""Sanctuary / target-hardening jobs."""
