"""Public renditions served by name (`/media/<kind>/<name>.jpg`), for each public kind declared
in `archive/renditions.py`.
"""
