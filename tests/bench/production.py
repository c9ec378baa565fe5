"""The settings production runs with, for every process of the bench, so that a server time taken in
the bench's own process is what a gunicorn worker spends: DEBUG off (templates cached, no query log,
Jinja2 not checking its files), hashed static files."""
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# SECRET_KEY: one for the bench's process and the server it starts, so a session made in one is good in
# the other.
ENVIRONMENT = {"DJANGO_SETTINGS_MODULE": "tests.bench.settings", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
               "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING"}


def collect_static():
    """As the image does at build: the hashed static files the manifest storage serves pages with."""
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, check=True)
