# Gates & Games — the two commands are `make book` and `make test` (see README).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON  ?= $(shell command -v python3.11 || command -v python3)
VENV    := .venv
BIN     := $(VENV)/bin
PROFILE ?= ci
NAME    ?=
JOBS    ?=
P       ?=
ARGS    ?=
RUN      = $(BIN)/python scripts/run_chapters.py $(if $(JOBS),--jobs $(JOBS)) $(ARGS)

.PHONY: help setup cluster widgets browser qemu chapters chapter book test unit lint expected bench gpu-check serve clean

help:
	@echo "make book                      set up, run every chapter at ci, build the static book"
	@echo "                               (re-runs only chapters whose cells/lib imports/params changed)"
	@echo "make book ARGS=\"--executor ray --address HOST:6379\"   chapters as Ray tasks (make cluster)"
	@echo "make test                      the full test suite (what CI runs)"
	@echo "make chapter NAME=rtb PROFILE=full [P=\"-p seeds '[41,42]'\"]   run one chapter"
	@echo "make expected NAME=rtb         re-record a chapter's expected ci metrics (deliberate)"
	@echo "make bench                     run the benchmarks/ scripts"
	@echo "make gpu-check                 on a CUDA machine: GPU tests and GPU benchmarks (minutes)"
	@echo "make serve                     serve the built book on http://127.0.0.1:8000"

# --- environment -----------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -c requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

widgets:
	scripts/vendor_widgets.sh

browser:  # Debian's chromium for the browser test (playwright drives it; no browser download)
	@if [ ! -x /usr/bin/chromium ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
	@/usr/bin/chromium --version 2>/dev/null

qemu:  # user-mode QEMU: the test that pinned ci numerics are CPU-independent (replib.book.numerics)
	@if ! command -v qemu-x86_64 >/dev/null; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq qemu-user >/dev/null; \
	fi
	@qemu-x86_64 --version | head -1

setup: $(VENV)/.installed widgets

# Ray for `run_chapters.py --executor ray` (the optional `cluster` extra; make test needs it)
$(VENV)/.cluster: $(VENV)/.installed
	$(BIN)/pip install -q -c requirements.lock -e '.[cluster]'
	touch $@

cluster: $(VENV)/.cluster

# --- chapters and book -----------------------------------------------------------------
chapters: setup
	$(RUN) --profile ci $(P)

chapter: setup
	@test -n "$(NAME)" || { echo "usage: make chapter NAME=<slug> [PROFILE=ci|full] [P=...]"; exit 2; }
	$(RUN) --profile $(PROFILE) --only $(NAME) $(P)

book: chapters
	$(BIN)/python scripts/build_book.py

expected: setup
	@test -n "$(NAME)" || { echo "usage: make expected NAME=<slug>"; exit 2; }
	$(BIN)/python scripts/expected.py record $(NAME)

bench: setup
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

gpu-check: setup
	@$(BIN)/python -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else \
	  'gpu-check needs a CUDA GPU and a CUDA build of torch (see README: full scale on a GPU)')"
	$(BIN)/python -m pytest -q -rs tests/lib/test_cuda_paths.py tests/lib/test_attention_gla.py \
	  tests/lib/test_markets_rtb.py
	$(BIN)/python benchmarks/bench_gla_gpu.py
	$(BIN)/python benchmarks/bench_selective_scan.py --lengths 256 1024 4096

serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory build/book/_build/html 8000

# --- tests -----------------------------------------------------------------------------
unit: setup
	$(BIN)/python -m pytest -q tests/lib

lint: setup
	$(BIN)/ruff check lib scripts tests benchmarks

test: setup cluster browser qemu
	@start=$$(date +%s); \
	echo "== 1/4 lint, unit and harness tests (incl. the chapter cache and the Ray executor)"; \
	$(BIN)/ruff check lib scripts tests benchmarks; \
	GG_REQUIRE_RAY=1 GG_REQUIRE_QEMU=1 $(BIN)/python -m pytest -q -m "not build" tests; \
	echo "== 2/4 every chapter at the ci profile (clean: no cache)"; \
	$(RUN) --profile ci --no-cache; \
	echo "== 3/4 the static book"; \
	$(BIN)/python scripts/build_book.py; \
	echo "== 4/4 regression against data/expected, book layout, browser"; \
	GG_REQUIRE_BUILD=1 $(BIN)/python -m pytest -q -m build tests; \
	echo "make test: total $$(( $$(date +%s) - start )) s"

clean:
	rm -rf build book/chapters book/_build book/scorecard.md book/status.md
