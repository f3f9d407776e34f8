"""Scheduled jobs that people can see (DESIGN §8): every run recorded with its business date,
counts and error; a page for the township station, the county office and the admin."""
