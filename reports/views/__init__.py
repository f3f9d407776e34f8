"""Pages of the reports app: dashboards and the supervision report archive."""
