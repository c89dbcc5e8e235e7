PY ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
DEMO_STAMP := $(VENV)/.installed-demo
JOBS ?= 2

.PHONY: test demo bench clean

$(VPY):
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml Makefile | $(VPY)
	$(VPY) -m pip install -q -e '.[dev,demo,distributed]'
	touch $(STAMP)

$(DEMO_STAMP): pyproject.toml Makefile | $(VPY)
	$(VPY) -m pip install -q -e '.[demo]'
	touch $(DEMO_STAMP)

test: $(STAMP)
	$(VPY) -m pytest -n $(JOBS) tests

demo: $(DEMO_STAMP)
	$(VPY) examples/digits.py

bench: $(STAMP)
	$(VPY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
