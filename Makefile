# devbridge — the two commands: `make run` and `make test`.
# Both install what is missing first (scripts/bootstrap.sh).

SWIFT ?= swift
BIN := .build/debug/devbridge
PYTEST := .venv/bin/python -m pytest

.PHONY: run test test-guest build build-tests lint format profiles schema bench fuzz fuzz-ci deps-run deps-test clean help

help:
	@echo "make run     run the service on its embedded default configuration"
	@echo "make test    lint, build and run the whole test suite (Swift Testing + Python clients + guest)"
	@echo "make test-guest  only the end-to-end scenarios in a QEMU guest (tests/guest, docs/guest-tests.md)"
	@echo "make bench   run the benchmarks (release build) and print figures"
	@echo "make fuzz    run every libFuzzer harness (FUZZ_SECONDS each, default 60; docs/fuzzing.md)"
	@echo "make format  reformat the sources with swift format"

deps-run:
	@scripts/bootstrap.sh run

deps-test:
	@scripts/bootstrap.sh test

build:
	$(SWIFT) build --product devbridge

run: deps-run build
	$(BIN) serve

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

# Regenerates Sources/Simulation/Profile/ShippedProfiles.swift from profiles/*.yaml.
profiles:
	scripts/embed-profiles.sh

# Regenerates profiles/schema.json (the editors' JSON Schema for profiles).
schema:
	python3 scripts/profile-schema.py

build-tests:
	$(SWIFT) build --build-tests

test: deps-test lint build-tests
	scripts/embed-profiles.sh --check
	python3 scripts/profile-schema.py --check
	scripts/check-systemd-unit.sh
	$(SWIFT) test --skip-build --parallel
	$(PYTEST) -q -rs tests/python
	$(MAKE) test-guest GUEST_DEVBRIDGE=$(CURDIR)/$(BIN)
	$(MAKE) fuzz-ci

# End-to-end scenarios in a real Linux guest under QEMU (docs/guest-tests.md).
# Skipped, saying so, only where qemu-system-x86_64 cannot run at all.
# GUEST_DEVBRIDGE=PATH tests that binary; otherwise the fixture builds one.
test-guest: deps-test
	GUEST_DEVBRIDGE=$(GUEST_DEVBRIDGE) $(PYTEST) -v -rs -p no:cacheprovider tests/guest

# libFuzzer harnesses for the parsers of outside input (docs/fuzzing.md).
FUZZ_SECONDS ?= 60
fuzz:
	scripts/fuzz.sh $(FUZZ_SECONDS)

# `make test` fuzzes each harness for 30 s under CI=true; elsewhere it says how to.
fuzz-ci:
	@if [ "$$CI" = "true" ]; then scripts/fuzz.sh 30; \
	else echo "fuzz: not run outside CI (CI=true make test, or make fuzz)"; fi

bench: deps-test
	bench/run-all.sh

clean:
	rm -rf .build .build-fuzz .venv
