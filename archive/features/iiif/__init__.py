"""IIIF: the Image API (level 0 tiles), Presentation manifests and collections, and the zoom
viewer and downloads built on them.
"""
