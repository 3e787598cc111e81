"""The place authority: Naju's places (gazetteer.csv, or an admin's copy), their names,
aliases, historic units and romanized spellings. Ingest, search, the services, OAI and the
offline copy read it.
"""
