# weishishi: `make run` serves the demo on SQLite, `make test` runs the suite on PostgreSQL.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	poppler-utils zbar-tools chromium gettext
# apt-get through sudo, except for root (e.g. in a container), where there may be no sudo.
USER_ID ?= $(shell id -u)
SUDO := $(if $(filter 0,$(USER_ID)),,sudo)

# The newest Python >= 3.12 on PATH or under pyenv; Django 6 needs 3.12 or newer.
FIND_PYTHON := for v in 3.14 3.13 3.12; do \
	  for c in python$$v $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v*/bin/python$$v; do \
	    if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	      echo $$c; exit 0; fi; done; done

.PHONY: run test bench system-packages messages clean

$(PY):
	@python=$$($(FIND_PYTHON)); \
	if [ -z "$$python" ]; then \
	  echo "weishishi needs Python 3.12 or newer (Django 6.1). Install it, e.g.:"; \
	  echo "  sudo apt-get install python3.12-venv   (Debian 13 / Ubuntu 24.04)"; \
	  echo "  or: pyenv install 3.13"; \
	  exit 1; fi; \
	echo "Using $$python"; \
	$$python -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group run
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --group test
	touch $@ $(VENV)/.run-installed

system-packages:
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  $(SYSTEM_PACKAGES)

run: $(VENV)/.run-installed
	DJANGO_DEBUG=true $(PY) manage.py migrate --verbosity 0
	DJANGO_DEBUG=true $(PY) manage.py createcachetable
	DJANGO_DEBUG=true $(PY) manage.py seed_demo
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.test-installed
	$(PY) -m pytest $(PYTEST_ARGS)

# Speed targets (bench/README.md): needs PostgreSQL, uses its own database weishishi_bench.
bench: $(VENV)/.run-installed
	$(PY) bench/tally_bench.py
	$(PY) bench/stations_bench.py
	$(PY) bench/results_bench.py
	$(PY) bench/import_bench.py
	$(PY) bench/mes_bench.py

messages: $(VENV)/.run-installed
	DJANGO_DEBUG=true $(PY) manage.py makemessages --locale en --ignore '.venv/*' --ignore 'tests/*'
	DJANGO_DEBUG=true $(PY) manage.py compilemessages --locale en --locale zh_Hans --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
