# First cut of the application image; the production hardening comes with the compose topology issue.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home --uid 10001 fms && mkdir -p var && chown -R fms var
USER fms
EXPOSE 8000
CMD ["gunicorn", "fms_review.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
