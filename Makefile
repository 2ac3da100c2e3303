# The two commands of the README: `make run` and `make test`. Both set everything up on a fresh machine.
# `make serve` is the production command beside them (README, "Production").
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt build-constraints.txt | cksum | cut -d' ' -f1)
# Front-end libraries with no current PyPI package (ECharts) come from npm; reinstalled when the lock changes.
NPM_STAMP := node_modules/.installed-$(shell cksum < package-lock.json | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
# make serve: gunicorn worker processes, the Dask scheduler's port for match runs, and the shared store
# of the sign-in limiter's counters (RATELIMIT_STORAGE_URI, when given, wins over REDIS_URL).
WORKERS ?= 2
DASK_PORT ?= 8786
ACCESS_LOG ?= -
LOCAL_REDIS := redis://127.0.0.1:6379
REDIS_URL ?= $(LOCAL_REDIS)

.PHONY: setup run serve test translations translations-update db browser redis

setup: $(STAMP) $(NPM_STAMP) translations

$(STAMP): requirements.txt build-constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# Some front-end packages ship only as sdists that need an older setuptools to build.
	PIP_CONSTRAINT=build-constraints.txt $(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

$(NPM_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Node.js and npm are needed (npm installs the charting library)"; exit 1; }
	npm ci --omit=dev --no-audit --no-fund
	rm -f node_modules/.installed-* && touch $@

translations: $(STAMP)
	$(BIN)/pybabel compile -d marketplace/translations

db: setup
	$(BIN)/flask --app wsgi db upgrade

run: db
	$(BIN)/flask --app wsgi demo load --if-empty
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# Production: the app under gunicorn against DATABASE_URL (PostGIS), with a Dask scheduler and one worker that
# run the match jobs (the worker imports the app, hence PYTHONPATH), and the limiter counting in Redis so that
# every gunicorn worker sees the same attempts. Ctrl-C (or TERM) stops all three.
serve: db redis
	@export RATELIMIT_STORAGE_URI="$${RATELIMIT_STORAGE_URI:-$(REDIS_URL)}" \
	  DASK_SCHEDULER_ADDRESS="tcp://127.0.0.1:$(DASK_PORT)" PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}"; \
	$(BIN)/dask scheduler --host 127.0.0.1 --port $(DASK_PORT) --no-dashboard & scheduler=$$!; \
	$(BIN)/dask worker "$$DASK_SCHEDULER_ADDRESS" --nworkers 1 --nthreads 1 --no-dashboard & worker=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait' EXIT INT TERM; \
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile $(ACCESS_LOG) wsgi:app

# A Redis for the limiter (make serve) and for the tests that run the app under gunicorn: Debian's
# redis-server, started here when none answers at the local address (keeping nothing on disk).
redis: $(STAMP)
	@url="$${RATELIMIT_STORAGE_URI:-$(REDIS_URL)}"; case "$$url" in redis://*) ;; *) exit 0;; esac; \
	ping() { $(BIN)/python -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()' "$$1" 2>/dev/null; }; \
	ping "$$url" && exit 0; \
	if [ "$$url" != "$(LOCAL_REDIS)" ]; then echo "No Redis answers at $$url (REDIS_URL)"; exit 1; fi; \
	if ! command -v redis-server >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing redis-server"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "Redis is needed at $(LOCAL_REDIS): run 'sudo apt-get install redis-server'"; exit 1; \
	  fi; \
	fi; \
	redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no --dir /tmp >/dev/null; \
	for i in 1 2 3 4 5 6 7 8 9 10; do ping "$$url" && exit 0; sleep 0.5; done; \
	echo "redis-server did not start at $(LOCAL_REDIS)"; exit 1

# The browser tests drive Debian's Chromium (no browser download); a CJK font makes Chinese pages legible.
BROWSER_PACKAGES := chromium fonts-wqy-microhei

browser:
	@missing=""; [ -x /usr/bin/chromium ] || missing=" chromium"; \
	dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || missing="$$missing fonts-wqy-microhei"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing$$missing for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The browser tests need Debian's$$missing: run 'sudo apt-get install$$missing'"; exit 1; \
	  fi; \
	fi

# The tests of make serve run the app under gunicorn with its limiter in the local Redis.
test: setup browser
	@$(MAKE) --no-print-directory redis REDIS_URL=$(LOCAL_REDIS) RATELIMIT_STORAGE_URI=
	$(BIN)/pytest

# After changing UI text: refresh the catalogue, then translate the new entries in messages.po.
translations-update: $(STAMP)
	$(BIN)/pybabel extract -w 100 -F babel.cfg -k _l -k lazy_gettext -k N_ -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -w 100 -i $(VENV)/messages.pot -d marketplace/translations
