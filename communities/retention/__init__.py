"""Retention: how long each kind of record is kept, and the daily purge that applies it."""
