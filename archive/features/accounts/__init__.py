"""Staff accounts: signing in and out, one's own account, and the admins' list of users.

`access.py` holds the guards every staff screen uses (`require_staff`, `admin_required`).
"""
