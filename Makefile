# The README's two commands: `make run` and `make test` (and `make lint`, which CI runs first; `make bench` measures the pages).
VENV    := .venv
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app portal
PORT    ?= 5000
PO      := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
MO      := $(PO:.po=.mo)

.PHONY: run test bench db translations extract lint clean

# The web server and the worker (outbox relay, SLA sweep, drafts sweep) together.
run: db
	PYTHONUNBUFFERED=1 $(VENV)/bin/honcho start -f Procfile.dev -p $(PORT)

test: $(VENV)/.test-installed $(MO)
	$(PY) -m pytest $(PYTEST_ARGS)

# The pages' req/s and latency under gunicorn, next to a bare Flask app, on a
# temporary SQLite database (benchmarks/pages.py; not part of make test).
bench: $(VENV)/.installed $(MO)
	$(PY) benchmarks/pages.py $(BENCH_ARGS)

db: $(VENV)/.installed $(MO)
	$(FLASK) db upgrade
	$(FLASK) setup --demo-cases 400

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.installed: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test-installed: setup.cfg pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .

translations: $(MO)

%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# Refresh the catalogs after changing user-facing strings.
extract: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o portal/translations/messages.pot .
	$(VENV)/bin/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching
	$(PY) scripts/fill_english.py

clean:
	rm -rf $(VENV) $(MO)
