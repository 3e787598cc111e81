"""Citizens' photo contributions: the form, uploads through the same decoding and privacy
stripping as scans, receipts and the contributor's status page.
"""
