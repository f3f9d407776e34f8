FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      fonts-noto-cjk gettext libpango-1.0-0 libpangoft2-1.0-0 nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -e . gunicorn && npm install --no-audit --no-fund \
    && DEBUG=1 python manage.py compilemessages --ignore=node_modules
ENV DEBUG=0
