"""Entry point: `flask --app wsgi run` or any WSGI server pointed at `wsgi:app`."""
import sys

from marketplace import create_app
from marketplace.cli import report_unreachable_database

app = create_app()
# The flask command line loads this module; an unreachable database there is one line, not a traceback.
sys.excepthook = report_unreachable_database
