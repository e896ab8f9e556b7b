# One image for every app service of docker-compose.yml: bulksms, bulksms-simulator and celery.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY producer ./producer
COPY worker ./worker
COPY simulator ./simulator
RUN pip install . && useradd --create-home --uid 10001 bulksms

USER bulksms
