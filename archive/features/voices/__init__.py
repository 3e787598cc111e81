"""Citizens' voices: memories, identifications, corrections and takedown requests. The
public forms (`views.py`, `forms.py`, `receive.py`) and the staff desk that reviews them
(`desk.py`, `review.py`).
"""
