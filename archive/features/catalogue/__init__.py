"""Cataloguing and review: the moderators' queue, the review screen (edit a record, publish,
reject, hold, withdraw), bulk publishing, and the intake list of scans set aside.
"""
