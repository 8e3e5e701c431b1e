"""Community Trigger (ASB case review): applications, threshold, review, pack and annual return."""
