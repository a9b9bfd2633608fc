# One entry point for learners, instructors and CI. Every target installs first if needed.
PY := .venv/bin/python
JOBS ?= auto
PROFILE ?= $(or $(COURSE_PROFILE),quick)
BOOK_FLAGS ?= -W --keep-going

.PHONY: install book test exercises bench clean

install:
	@bash scripts/install.sh

## Build the book to _build/html, executing every chapter on the resolved data set.
book: install
	.venv/bin/jupyter-book build --all $(BOOK_FLAGS) .

## Unit tests, notebook tests (nbval) and sync checks, in parallel; the quick profile unless
## PROFILE=full (or $$COURSE_PROFILE) asks otherwise.
test: install
	COURSE_PROFILE=$(PROFILE) COURSE_CHECKS_STRICT=1 $(PY) -m pytest -n $(JOBS) --dist loadfile --nbval-lax --nbval-cell-timeout=900 tests book solutions

## Regenerate exercises/ from solutions/.
exercises: install
	$(PY) -m course_utils.exercises build

## Print this machine's figures (install, data generation, test-suite time).
bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf _build .pytest_cache
