# carepath: the two set-up commands are `make demo` (install + run on the embedded default)
# and `make test` (install + run every test). Both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-dates install lint bench clean

NODE_STAMP := node_modules/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# bpmn-js, dmn-js, chart.js and the rest from the npm registry; never committed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# the web app's scripts bundled with the npm packages they use (esbuild), into webapp/static/build/ (ignored)
ASSETS_STAMP := webapp/static/build/.built
ASSET_SOURCES := $(wildcard webapp/assets/*.js webapp/assets/*/*.js webapp/assets/*.mjs webapp/assets/*.css)
$(ASSETS_STAMP): $(NODE_STAMP) $(ASSET_SOURCES)
	npm run --silent build
	mkdir -p webapp/static/build && touch $(ASSETS_STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; its own browser download is not used)
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: $(CHROMIUM) is missing and cannot be installed here; the browser tests will be skipped"; fi

# Moments other than now for the tests marked `dates` (demo, timers, calendar, inbox tabs, notifications): the
# night daylight saving time ends in the US, and ten minutes before midnight on a leap day (the run crosses it).
OTHER_DATES := 2027-11-07T06:30:00Z 2028-02-29T23:50:00Z

install: $(STAMP) $(NODE_STAMP) $(ASSETS_STAMP)

demo: $(STAMP) $(NODE_STAMP) $(ASSETS_STAMP)
	$(BIN)/carepath demo

test: $(STAMP) $(NODE_STAMP) $(ASSETS_STAMP) $(CHROMIUM)
	$(BIN)/ruff check engine forms webapp tests bench
	$(BIN)/carepath lint pathways
	$(BIN)/carepath test pathways
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory test-dates

# `--at` moves the wall clock of the test run and of the processes it starts (time-machine); monotonic clocks,
# sleeps and timeouts stay real
test-dates: $(STAMP) $(NODE_STAMP) $(ASSETS_STAMP)
	@for moment in $(OTHER_DATES); do \
		echo "tests marked 'dates' as of $$moment"; \
		$(BIN)/pytest -q -m dates --at $$moment -p no:cacheprovider || exit 1; \
	done

lint: $(STAMP)
	$(BIN)/ruff check engine forms webapp tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules webapp/static/build
