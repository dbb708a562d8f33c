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
# train-doc-classifier: a named recipe (quick, full, vat); QUICK=1 is PRESET=quick.
PRESET ?=
# train-doc-classifier: any further flags, such as ARGS="--attention-heads 4".
ARGS ?=
# train-translator: spa-eng or dates (generated, needs no DATA).
DATASET ?= spa-eng
# train-translator on spa-eng: spa-eng (Spanish to English) or eng-spa.
DIRECTION ?= spa-eng
PYTEST_ARGS ?=

export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: install test test-slow test-browser test-ray test-backends test-compat test-no-tf lint bench \
	train-doc-classifier train-translator train-decoder notebook notebook-run docs docs-serve clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser and not ray" $(PYTEST_ARGS)

# End-to-end checks that take minutes (the notebook run among them).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

# The explorer, and the docs site when site/ is built (make docs), in
# headless Chromium (Debian: chromium, chromium-driver).
# Screenshots go to $ATTENTION_TF_SCREENSHOTS (default: pytest's tmp dir).
test-browser: $(STAMP)
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# The bulk classifier's Ray runner (`attention-tf classify --runner ray`) on
# a local Ray with 2 CPUs; Ray comes with the [ray] extra, installed here.
test-ray: $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev,ray]"
	$(BIN)/python -m pytest -m ray tests/bulk $(PYTEST_ARGS)

# The layer, model and sampler tests again on JAX and PyTorch (CPU builds; the
# torch pin comes from constraints/newest.txt). TensorFlow-only tests
# (string preprocessing, the TF1 reference) skip there, saying why.
BACKEND_TESTS ?= tests/layers tests/models tests/samplers
test-backends: $(STAMP)
	$(BIN)/pip install --quiet -c constraints/newest.txt -e ".[dev,torch]"
	KERAS_BACKEND=jax $(BIN)/python -m pytest -m "not slow" $(BACKEND_TESTS)
	KERAS_BACKEND=torch $(BIN)/python -m pytest -m "not slow" $(BACKEND_TESTS)
	$(BIN)/python -m pytest tests/training/document_classifier/test_trainer.py \
		-k other_backends

# The layer and model tests on the oldest and newest supported releases
# (constraints/*.txt), each in a virtual environment of its own, on the
# TensorFlow and JAX backends. pip's cache keeps reinstalls cheap.
# TensorFlow 2.16.2's oneDNN kernels give wrong decoder results and then
# crash (a segmentation fault) on this CPU (AVX512_BF16), so the oldest pins
# run with TF_ENABLE_ONEDNN_OPTS=0, as the README tells their users to.
COMPAT_PINS ?= oldest newest
COMPAT_VENVS := .venv-compat
test-compat: $(foreach pins,$(COMPAT_PINS),$(COMPAT_VENVS)/$(pins)/.installed)
	for pins in $(COMPAT_PINS); do \
		onednn=1; [ $$pins = oldest ] && onednn=0; \
		for backend in tensorflow jax; do \
			echo "== $$pins pins, $$backend backend, TF_ENABLE_ONEDNN_OPTS=$$onednn"; \
			KERAS_BACKEND=$$backend TF_ENABLE_ONEDNN_OPTS=$$onednn \
				$(COMPAT_VENVS)/$$pins/bin/python -m pytest \
				-q -m "not slow" $(BACKEND_TESTS) || exit 1; \
		done; \
	done

$(COMPAT_VENVS)/%/.installed: constraints/%.txt setup.cfg pyproject.toml
	rm -rf $(COMPAT_VENVS)/$*
	$(PYTHON) -m venv $(COMPAT_VENVS)/$*
	$(COMPAT_VENVS)/$*/bin/pip install --quiet --upgrade pip
	$(COMPAT_VENVS)/$*/bin/pip install --quiet -c constraints/$*.txt \
		-e ".[train,jax]" pytest hypothesis tf-slim
	touch $@

# A fresh environment with only keras, jax[cpu] and attention_tf (no
# extras, newest pins, so no TensorFlow): the package imports, pools a
# masked batch as NumPy does, builds the models, and the TensorFlow-only
# commands exit with one line naming their extra. Run from outside the
# clone so that the installed copy is the one imported.
NO_TF_VENV := .venv-no-tf
test-no-tf:
	rm -rf $(NO_TF_VENV)
	$(PYTHON) -m venv $(NO_TF_VENV)
	$(NO_TF_VENV)/bin/pip install --quiet -c constraints/newest.txt \
		keras "jax[cpu]" .
	cd $(NO_TF_VENV) && KERAS_BACKEND=jax JAX_PLATFORMS=cpu \
		bin/python ../tests/no_tensorflow_install.py

lint: $(STAMP)
	$(BIN)/ruff check attention_tf tests benchmarks
	$(BIN)/ruff format --check attention_tf tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/layer.py
	$(BIN)/python benchmarks/training.py
	$(BIN)/python benchmarks/trainer_throughput.py
	$(BIN)/python benchmarks/decoder.py
	$(BIN)/python benchmarks/backends.py

train-doc-classifier: $(STAMP)
	$(BIN)/attention-tf train-doc-classifier \
		$(if $(or $(DATA),$(IMDB_DEFAULT)),--data "$(or $(DATA),$(IMDB_DEFAULT))") \
		$(if $(OUT),--out "$(OUT)") \
		$(if $(QUICK),--quick) $(if $(PRESET),--preset $(PRESET)) $(ARGS)

# train-decoder: the target's first name, kept working.
train-translator train-decoder: $(STAMP)
	$(BIN)/attention-tf train-translator --dataset $(DATASET) --direction $(DIRECTION) \
		$(if $(filter spa-eng,$(DATASET)),$(if $(or $(DATA),$(SPA_ENG_DEFAULT)),--data "$(or $(DATA),$(SPA_ENG_DEFAULT))")) \
		$(if $(OUT),--out "$(OUT)") \
		$(if $(QUICK),--quick)

notebook: $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev,notebook]"
	$(BIN)/jupyter notebook notebooks/01_attention_walkthrough.ipynb

# Re-executes the English notebook in place (quick mode), refreshing its
# outputs, then copies its code cells and outputs into the translations.
notebook-run: $(STAMP)
	$(BIN)/python notebooks/execute.py notebooks/01_attention_walkthrough.ipynb
	$(BIN)/python notebooks/sync_translation.py

# The documentation site (docs/, mkdocs.yml) built into site/; --strict
# turns a broken link or a missing API reference into a failure.
DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e ".[dev,docs]"
	touch $@

docs: $(DOCS_STAMP)
	$(BIN)/mkdocs build --strict --site-dir site

docs-serve: $(DOCS_STAMP)
	$(BIN)/mkdocs serve

clean:
	rm -rf $(VENV) $(COMPAT_VENVS) $(NO_TF_VENV) runs site .pytest_cache
