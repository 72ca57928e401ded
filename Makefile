# carepath: the two set-up commands are `make demo` (install + run on the embedded default)
# and `make test` (install + run every test). Both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/carepath demo

test: $(STAMP)
	$(BIN)/ruff check engine forms webapp tests bench
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check engine forms webapp tests bench

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
