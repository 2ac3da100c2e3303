# The two commands of the README: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt build-constraints.txt | cksum | cut -d' ' -f1)
# Front-end libraries with no current PyPI package (ECharts) come from npm; reinstalled when the lock changes.
NPM_STAMP := node_modules/.installed-$(shell cksum < package-lock.json | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test translations translations-update db browser

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

test: setup browser
	$(BIN)/pytest

# After changing UI text: refresh the catalogue, then translate the new entries in messages.po.
translations-update: $(STAMP)
	$(BIN)/pybabel extract -w 100 -F babel.cfg -k _l -k lazy_gettext -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -w 100 -i $(VENV)/messages.pot -d marketplace/translations
