"""Exhibitions: staff curate a selection of photos with texts (`curate.py`); visitors see them
(`views.py`); `public.py` shapes them for pages, the landing page and the API.
"""
