"""Scheduling: dates that suit every member (public holidays, weekends)."""
