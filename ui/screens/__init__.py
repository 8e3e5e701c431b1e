"""The main window's screens: each a view (layout) plus the code wiring it to services."""
