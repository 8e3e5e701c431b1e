"""The panels screen, meetings, and the SWIP / MART referral view."""
