"""The open JSON API (`/api/...`): photos, search, exhibitions, memories and suggestions
for other sites."""
