# daytona-async: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.demo-installed

.PHONY: install sandbox-tools generate check-generated lint test demo bench clean docs

# the emulator isolates sandbox commands with bubblewrap (Linux): installed from the system's
# packages where that is possible (root + apt); never fails the build (without it the emulator
# refuses commands unless --unsafe-run-commands-on-host, and the isolation tests skip)
sandbox-tools:
	@command -v bwrap >/dev/null 2>&1 || [ "$$(uname -s)" != Linux ] || \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing bubblewrap (sandbox isolation of the emulator)..."; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null 2>&1 || \
		{ apt-get update -qq >/dev/null 2>&1 && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null 2>&1; } || \
		echo "bubblewrap could not be installed: the emulator will refuse sandbox commands"; \
	else \
		echo "note: install bubblewrap (e.g. apt-get install bubblewrap) for the emulator's sandbox isolation"; \
	fi

# everything: the SDK, the emulator, the examples' needs and the dev toolchain (test, lint, generate)
$(STAMP): pyproject.toml generator/requirements.txt
	@$(MAKE) --no-print-directory sandbox-tools
	@echo "installing daytona-async and the dev toolchain into $(VENV) (first run only)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,examples]'
	$(PY) -m pip install --quiet -r generator/requirements.txt
	touch $(STAMP) $(DEMO_STAMP)

# only what the demo needs: the SDK, the emulator and rich (the dev install includes it)
$(DEMO_STAMP): pyproject.toml
	@$(MAKE) --no-print-directory sandbox-tools
	@echo "demo: installing daytona-async, its emulator and rich into $(VENV) (first run only)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[examples]'
	@touch $(DEMO_STAMP)

install: $(STAMP)

generate: $(STAMP)
	$(PY) generator/generate.py

# regenerate into a scratch folder and fail on any difference with the committed tree
check-generated: $(STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf $$tmp' EXIT && \
	$(PY) generator/generate.py $$tmp/daytona_api && \
	if diff -r -x __pycache__ $$tmp/daytona_api generated/daytona_api >$$tmp/diff; then \
		echo "generated/ is up to date"; \
	else \
		head -n 40 $$tmp/diff; echo "generated/ drifts from openapi/daytona.yaml: run 'make generate' and commit"; exit 1; \
	fi

# the synchronous face (wrappers/daytona_async/sync.py) is generated from the async classes
.PHONY: generate-sync check-sync
generate-sync: $(STAMP)
	$(PY) generator/make_sync.py

check-sync: $(STAMP)
	$(PY) generator/make_sync.py --check

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check wrappers emulator tests examples bench
	$(VENV)/bin/mypy

test: $(STAMP) sandbox-tools check-generated check-sync lint
	$(VENV)/bin/pytest -q

demo: $(DEMO_STAMP) sandbox-tools
	@$(PY) examples/run_demo.py $(if $(N),--n $(N),)

bench: $(STAMP)
	$(PY) bench/run.py
	$(PY) bench/image_upload.py --mib 100 | tee bench/results/image_upload.md

# the documentation site into site/ (mkdocs.yml; --strict: any warning fails the build)
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

clean:
	rm -rf $(VENV) build dist site
