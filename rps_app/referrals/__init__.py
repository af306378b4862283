"""Referral institutions and the letters the RPS issues (referral, handover, BAST)."""
