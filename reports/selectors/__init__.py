"""Reads of the reports app: indicators (DESIGN §7) and what the dashboards show."""
