"""Health and readiness answers for load balancers and monitoring (`/healthz`, `/readyz`)."""
