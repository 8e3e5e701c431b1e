"""The application: start-up, unlock, the main window, search, screenshots."""
