# One entry point for learners, instructors and CI. Every target installs first if needed.
PY := .venv/bin/python
JOBS ?= auto

.PHONY: install book test exercises bench clean

install:
	@bash scripts/install.sh

## Build the book to _build/html, executing every chapter on the resolved data set.
book: install
	$(PY) -m jupyter_book build --all . 

## Unit tests, notebook tests (nbval) and sync checks, in parallel.
test: install
	$(PY) -m pytest -n $(JOBS) --dist loadfile --nbval-lax --nbval-cell-timeout=900 tests book solutions

## Regenerate exercises/ from solutions/.
exercises: install
	$(PY) -m course_utils.exercises build

## Print this machine's figures (install, data generation, test-suite time).
bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf _build .pytest_cache
