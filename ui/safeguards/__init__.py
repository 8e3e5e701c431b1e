"""Retention review, subject access and who-saw-what tabs."""
