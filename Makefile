# Every target sets up its own virtual environment first, so on a fresh
# machine `make test` or `make train-doc-classifier` is the only command.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SHARED_DATA := ../shared/data
IMDB_ARCHIVE := $(SHARED_DATA)/aclImdb_v1_rebuilt.tar.gz
SPA_ENG_ARCHIVE := $(SHARED_DATA)/spa-eng.zip
# Empty DATA lets the loader do its own lookup (environment variable, Keras
# cache, download).
DATA ?= $(if $(wildcard $(IMDB_ARCHIVE)),$(IMDB_ARCHIVE),)
OUT ?=
QUICK ?=
PYTEST_ARGS ?=

export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install test test-all test-backends lint bench train-doc-classifier clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

test-all: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The layer and model tests again on JAX and PyTorch (CPU builds).
BACKEND_TESTS ?= tests/layers
test-backends: $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev,backends]"
	KERAS_BACKEND=jax $(BIN)/python -m pytest -m "not slow" $(BACKEND_TESTS)
	KERAS_BACKEND=torch $(BIN)/python -m pytest -m "not slow" $(BACKEND_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check attention_tf tests benchmarks
	$(BIN)/ruff format --check attention_tf tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/layer.py

train-doc-classifier: $(STAMP)
	$(BIN)/attention-tf train-doc-classifier \
		$(if $(DATA),--data "$(DATA)") \
		$(if $(OUT),--out "$(OUT)") \
		$(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) runs .pytest_cache
