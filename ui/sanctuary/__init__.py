"""The sanctuary job view."""
