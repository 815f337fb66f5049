# Two entry points for a fresh machine: `make run` (install + start the app), `make test`
# (install + run every test, the browser test included). Both create .venv on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Only this machine can reach the app unless you choose otherwise (see "Serving a team" in the README).
ADDRESS ?= 127.0.0.1

.PHONY: run test lint bench install browser

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/streamlit run workbench.py --server.address $(ADDRESS) --server.port $(PORT) --server.headless true

# Debian's Chromium for the real-browser test (the browser download of test tools is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else sudo apt-get install -y -q chromium >/dev/null; fi; }

lint: install
	$(BIN)/ruff check .

test: install browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/run_all.py
