"""OAI-PMH for harvesters: the six verbs (`views.py`), their arguments (`args.py`), the
records and sets offered (`repository.py`, `sets.py`) and `oai_dc` built from the field
registry (`dublin_core.py`).
"""
