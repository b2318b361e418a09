"""gunicorn's configuration for the portal: ``gunicorn -c gunicorn.conf.py wsgi:app``.

The values come from portal/config.py, which reads the environment
(PORTAL_BIND, PORTAL_WEB_WORKERS, PORTAL_WEB_TIMEOUT,
PORTAL_WEB_GRACEFUL_TIMEOUT, PORTAL_PROXY_ADDRESSES, PORTAL_LOG_FORMAT);
README's "Deploying" section lists them."""

import os
import shutil
import tempfile

import gunicorn.http.wsgi

from portal.config import server_settings

_settings = server_settings()

# prometheus-client's multiprocess mode: each worker writes its request
# counts here and /metrics adds them up, whichever worker is scraped. The
# folder starts empty at every start (PORTAL_METRICS_DIR, or a new temporary one).
_metrics_dir = _settings["metrics_dir"] or tempfile.mkdtemp(prefix="portal-metrics-")
shutil.rmtree(_metrics_dir, ignore_errors=True)
os.makedirs(_metrics_dir, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

# gunicorn writes "Server: gunicorn" into every response itself, after the
# application's headers, so no WSGI middleware can take it out; it reads
# the name from this module each time it starts a response. A scanner
# learns nothing of the framework from "portal" (nginx answers with its
# own Server line, without a version: server_tokens off).
gunicorn.http.wsgi.SERVER = "portal"

bind = _settings["bind"]
workers = _settings["workers"]  # 2 × CPUs + 1 unless PORTAL_WEB_WORKERS says otherwise
worker_class = "sync"
timeout = _settings["timeout"]  # a worker silent this long is killed and replaced
graceful_timeout = _settings["graceful_timeout"]  # SIGTERM: requests in hand finish first
keepalive = 5
# A worker is replaced now and then, a guard against slow leaks, with
# jitter so not all at once; rarely, because a new worker loads the app
# (about 2 s of a core) and serves nothing meanwhile. Every 2,000 requests,
# two workers serving the catalog at 500 a second were both loading within
# 10 s, and 5 % of answers waited 2 s.
max_requests = 50_000
max_requests_jitter = 5_000
# The addresses whose X-Forwarded-Proto gunicorn believes; the portal's own
# ProxyFix (PORTAL_TRUSTED_PROXIES) decides the client address.
forwarded_allow_ips = _settings["forwarded_allow_ips"]
# The portal writes one line per request itself (portal/logs.py): method,
# route, status, duration and request id, never a path's values or a query
# string (a receipt's tracking link carries a token, an old link may carry
# a query code). gunicorn's own access log would repeat the line with both,
# so it is off.
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"portal": {"()": "portal.logs.formatter", "log_format": _settings["log_format"]}},
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "portal",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        "alembic": {"level": "WARNING"},
    },
}


def child_exit(server, worker):
    """A worker that exits leaves its live gauges behind; its counts stay."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
