# The two commands of the README: `make synth` (run) and `make test` (test). Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := synth

PYTHON ?= python3
PIPENV_VERSION := 2026.10.3
TF_MIRROR ?= /opt/tf-plugins

export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_NOSPIN := 1
export PIPENV_YES := 1
export CHECKPOINT_DISABLE := 1
# The pinned Node 22 from package.json (jsii-supported) and the pinned cdktf CLI come first on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/.venv/bin:$(PATH)
ifneq ($(wildcard $(TF_MIRROR)),)
export TF_CLI_CONFIG_FILE := $(CURDIR)/.terraformrc
endif

VENV_STAMP := .venv/.synced
NODE_STAMP := node_modules/.synced
TOOLS_STAMP := .venv-tools/.synced
CI_STAMP := .venv-ci/.synced

.PHONY: install synth test lint typecheck unit bench scan diff deploy clean cost diagram

install: $(VENV_STAMP) $(NODE_STAMP) $(TOOLS_STAMP) $(CI_STAMP) .terraformrc

$(VENV_STAMP): Pipfile Pipfile.lock
	@$(PYTHON) -m pipenv --version 2>/dev/null | grep -q "$(PIPENV_VERSION)" || \
		$(PYTHON) -m pip install --quiet --disable-pip-version-check "pipenv==$(PIPENV_VERSION)"
	$(PYTHON) -m pipenv sync --dev
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(TOOLS_STAMP): tools/requirements.txt
	$(PYTHON) -m venv .venv-tools
	.venv-tools/bin/pip install --quiet --disable-pip-version-check -r tools/requirements.txt
	@touch $@

# The workflow checkers of tests/tools/test_workflows.py (check-jsonschema, zizmor), apart from both other envs.
$(CI_STAMP): tools/ci-requirements.txt
	$(PYTHON) -m venv .venv-ci
	.venv-ci/bin/pip install --quiet --disable-pip-version-check -r tools/ci-requirements.txt
	@touch $@

.terraformrc: tools/terraformrc.py
	$(PYTHON) tools/terraformrc.py .terraformrc $(TF_MIRROR)

synth: $(VENV_STAMP) $(NODE_STAMP) .terraformrc
	.venv/bin/python main.py $(ARGS)

# Architecture pictures per environment from the synthesized stacks: diagrams/<env>.svg, .mmd, .md
diagram: $(VENV_STAMP) $(NODE_STAMP)
	.venv/bin/python main.py diagram $(ARGS)

lint: $(VENV_STAMP)
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: $(VENV_STAMP)
	.venv/bin/mypy

unit: install
	.venv/bin/pytest $(PYTEST_ARGS)

test: install lint typecheck unit

# Estimated monthly cost per environment (bundled price table): make cost ARGS="--env prod --format json"
cost: $(VENV_STAMP) $(NODE_STAMP)
	.venv/bin/python main.py cost $(ARGS)

bench: $(VENV_STAMP) $(NODE_STAMP)
	.venv/bin/python scripts/benchmark.py

# Checkov over the current cdktf.out, per stack: passed / failed / baselined (checkov-baseline.toml)
scan: synth $(TOOLS_STAMP)
	.venv/bin/python scripts/checkov_scan.py

# Through the cdktf CLI (offline against the mirror): make diff STACK=dev, make deploy STACK=dev
diff: install
	cdktf diff $(STACK)

deploy: install
	cdktf deploy $(STACK)

clean:
	rm -rf cdktf.out .cdktf.out.* .mypy_cache .ruff_cache .pytest_cache
