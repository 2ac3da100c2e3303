"""Entry point: `flask --app wsgi run` or any WSGI server pointed at `wsgi:app`."""
from marketplace import create_app

app = create_app()
