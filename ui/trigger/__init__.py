"""The Community Trigger case view."""
