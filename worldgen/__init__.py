"""A realistic, deterministic world of village mutual-aid associations (issue 14).

`generate_world` (reports/management/commands) builds areas with official-style division codes,
associations with capital by source, members, guarantee groups and several years of loans in
every state, written through COPY (PostgreSQL) or executemany (SQLite) with ids reserved from
the tables' sequences. Money goes through the same pure rules as the services
(loans.domain.allocation, loans.services.figures.instalment_figures); `check_world` verifies the
books and the loans afterwards.
"""
