FROM python:3.11-slim-bookworm
# Fonts and Pango for PDFs, gettext for translations, the PostgreSQL client for backups.
RUN apt-get update && apt-get install -y --no-install-recommends \
      fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 nodejs npm postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# What running needs only: no test or lint tools, no browser.
RUN pip install --no-cache-dir -e . && npm install --no-audit --no-fund \
    && DEBUG=1 python manage.py compilemessages --ignore=node_modules \
    && SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --noinput -v0
ENV DEBUG=0
