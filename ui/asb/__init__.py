"""The ASB case view and its dialogs."""
