# Two commands on a fresh machine: `make run` starts the app, `make test` runs every test.
# Both create (or reuse) the virtual environment .venv in the checkout.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench screenshots clean

run: $(VENV)/.app-installed
	$(BIN)/python -m streamlit run app.py

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

bench: $(VENV)/.dev-installed
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.app-installed $@

clean:
	rm -rf $(VENV)
