# Starling: the two commands are `make dev` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
UV_VERSION := 0.13.9
TOOLS := $(CURDIR)/.venv-tools
UV := $(TOOLS)/bin/uv
# The project's own uv first: nothing installed by hand (or ~/.local/bin) is needed.
export PATH := $(CURDIR)/.venv/bin:$(TOOLS)/bin:$(PATH)
PYTEST := uv run --frozen pytest -p no:warnings
LOGS := $(CURDIR)/.starling
# $(call quietly,NAME,COMMAND): run COMMAND with its output in .starling/NAME.log; show it only if it fails.
quietly = mkdir -p $(LOGS) && { $(2); } >$(LOGS)/$(1).log 2>&1 || { cat $(LOGS)/$(1).log; \
	echo "make: that failed; its output is above and in .starling/$(1).log" >&2; exit 1; }

.PHONY: help install synth dev test lint unit integration infra e2e fuzz bench deploy clean

help:
	@echo "make dev    install, synthesize, and run the local stack on 127.0.0.1:3000"
	@echo "make test   install, lint, and run every test suite"
	@echo "make synth | make deploy | make bench | make fuzz | make lint | make unit | make integration | make infra | make e2e"

$(UV): tools/bootstrap_uv.py
	@echo "Installing uv $(UV_VERSION) into .venv-tools (log: .starling/uv.log)"
	@$(call quietly,uv,python3 tools/bootstrap_uv.py $(TOOLS) $(UV_VERSION))

.venv/.installed: $(UV) pyproject.toml uv.lock layers/core/pyproject.toml package.json package-lock.json
	@echo "Installing the Python packages and the pinned CDK CLI (log: .starling/install.log)"
	@$(call quietly,install,$(UV) sync --frozen && npm ci --no-audit --no-fund --loglevel=error)
	@touch $@

install: .venv/.installed

synth: install
	@echo "Synthesizing cdk.out (log: .starling/synth.log)"
	@$(call quietly,synth,npx cdk synth --quiet)

dev: synth
	@.venv/bin/starling dev

lint: install
	uv run --frozen ruff check .
	uv run --frozen ruff format --check .
	uv run --frozen mypy
	uv run --frozen lint-imports

unit: install
	$(PYTEST) tests/unit tests/local_cloud -q

infra: install
	$(PYTEST) tests/infra -q

integration: synth
	$(PYTEST) tests/integration -q -n 2

# Two workers, each with a stack of its own: the README's run (its tests one group, mostly waiting on
# workflows and the click rollup) on one, every other test on whichever is free.
e2e: synth
	$(PYTEST) tests/e2e -q -n 2 --dist loadgroup

# At least 5,000 schemathesis cases over every operation, and 8 clients x 500 requests at once.
fuzz: synth
	FUZZ_EXAMPLES=150 FUZZ_MIN_CASES=5000 FUZZ_PHASES=examples,coverage,fuzzing,stateful $(PYTEST) tests/e2e/test_fuzz.py -q -s
	CONCURRENT_REQUESTS=500 $(PYTEST) tests/integration/local_cloud/test_concurrent_invocations.py -q

test: lint unit infra integration e2e

bench: install
	uv run --frozen python -m bench

# Without AWS credentials and a region, say what to do (README: "Deploy to your AWS account"), not CDK's
# bare "Unable to resolve AWS account to use".
deploy: synth
	@.venv/bin/python -c "import boto3, sys; s = boto3.Session(); sys.exit(not (s.get_credentials() and s.region_name))" || { \
	  echo "make deploy: no AWS credentials or no region found." >&2; \
	  echo "  Give them as you would to the AWS CLI, for example:" >&2; \
	  echo "    export AWS_PROFILE=my-profile AWS_REGION=us-east-1   # after aws configure sso / aws configure" >&2; \
	  echo "    .venv/bin/aws sts get-caller-identity                 # check: prints your account" >&2; \
	  echo "    npx cdk bootstrap                                     # once per account and region" >&2; \
	  echo "  then make deploy again. README.md, \"Deploy to your AWS account\", has the whole checklist." >&2; \
	  exit 1; }
	npx cdk deploy --require-approval broadening

clean:
	rm -rf cdk.out .starling .venv .venv-tools node_modules
