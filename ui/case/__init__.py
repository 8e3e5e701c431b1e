"""Case views, one per case type, on a shared frame (header, actions, tabs)."""
