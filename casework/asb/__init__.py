"""Anti-social behaviour cases: intake, incidents, risk, the four-stage ladder, CSV import."""
