"""The reference of benchmarks/pages.py: a bare Flask app answering
"hello", served by gunicorn with the portal's own configuration
(``gunicorn -c gunicorn.conf.py --pythonpath benchmarks hello:app``), so a
page's figures can be read against what the server, the workers and the
network cost on this machine with no portal code at all."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
