"""The public gallery: the landing page, search and browsing (`browse.py`), the photo page,
timeline, feeds, sitemap, help and the embed view.
"""
