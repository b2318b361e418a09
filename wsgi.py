"""The WSGI entry point: a production server serves ``wsgi:app``."""

from portal import create_app

app = create_app()
