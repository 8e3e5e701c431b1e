"""SWIP and MART referrals, panel meetings and the anonymised meeting pack."""
