"""The people screen and its dialogs."""
