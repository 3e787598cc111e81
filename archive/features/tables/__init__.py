"""The admins' screen for the reference tables (places, periods, variants, words); the tables
themselves, read by search, live in `archive/tables/`.
"""
