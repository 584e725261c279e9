"""Entry point: `flask --app app ...` and `gunicorn app:app`."""
from trainee import create_app

app = create_app()
