# The two set-up commands of the README:
#   make run    install requirements.txt into .venv and launch the app (at first: the first camera)
#   make test   install everything (incl. Xvfb and xrandr for the real-window tests), run the linters and all tests
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ARGS ?=

# make splits a path at its spaces: "my venv" would be two paths, and a failed venv's
# clean-up below would remove a folder "my".
ifneq ($(words $(VENV)),1)
$(error VENV "$(VENV)" must be one path without spaces)
endif

.PHONY: run test install install-dev system-deps clean

run: install
	$(PY) main.py $(ARGS)

# Lint, types and import contracts first (configured in pyproject.toml), then the suite.
test: install-dev system-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(ARGS)

install: $(VENV)/.installed-runtime

install-dev: $(VENV)/.installed-dev

# A venv that fails half-made (Debian and Ubuntu without python3-venv leave bin/python but
# no pip) is removed, so the next make makes it again instead of failing at every run. One
# shell line, also run by the install rules below: a make started inside a recipe has no
# jobserver under -j (it warns), and marked '+' it would run its rm -rf under make -n too.
define make_venv
$(PYTHON) -m venv "$(VENV)" && "$(PY)" -m pip --version >/dev/null || { \
	rm -rf "$(VENV)"; \
	echo "error: could not make $(VENV) with pip in it (Debian/Ubuntu: sudo apt-get install python3-venv), removed it" >&2; \
	exit 1; }; \
"$(PY)" -m pip install -q --upgrade pip || { \
	rm -rf "$(VENV)"; \
	echo "error: pip in $(VENV) could not upgrade pip (its error above; a download cut short?), removed $(VENV)" >&2; \
	exit 1; }
endef

# What a venv made here holds before any package puts more (share/, etc/) beside them: a
# folder with no more than these is the only one removed, to be made again.
VENV_OWN_ENTRIES := bin|include|lib|lib64|pyvenv\.cfg|\.gitignore|\.installed-(runtime|dev)

# A folder that is no venv (".", a project's) is never made one, as removing it would lose it.
# A venv whose bin/python is gone (its Python uninstalled or upgraded away) is made afresh:
# venv over it fails on the dangling link.
$(VENV)/bin/python:
	@if [ -e "$(VENV)" ] && [ -n "$$(ls -A "$(VENV)")" ]; then \
		if [ ! -f "$(VENV)/pyvenv.cfg" ]; then \
			echo "error: $(VENV) is not a venv and not empty: left as it is (give another VENV=)" >&2; \
			exit 1; fi; \
		other=$$(ls -A "$(VENV)" | grep -vxE '$(VENV_OWN_ENTRIES)' | head -n 1); \
		if [ -n "$$other" ]; then \
			echo "error: $(PY) is missing or its Python gone, and $(VENV) holds $$other besides a venv's own files: left as it is (if it is a venv, remove it and make again; else give another VENV=)" >&2; \
			exit 1; fi; \
		echo "$(VENV) has no $(PY) that runs (missing, or its Python gone): removing it and making it again" >&2; \
		rm -rf "$(VENV)"; fi
	@echo "making $(VENV) with $(PYTHON) -m venv, then upgrading its pip"
	@$(make_venv)

# A venv without pip (one an older Makefile left half-made and trusted) is removed and made
# again, as the rule above does; checked only before an install, so a make with nothing to
# install runs no Python. Removed only if it holds no more than a venv made here. "import
# pip", not "pip --version": that also fails on a broken pip.conf, whose error pip install shows.
define remake_venv_without_pip
@why=$$("$(PY)" -c "import pip" 2>&1) || { \
	status=$$?; why=$$(printf '%s\n' "$$why" | tail -n 1); why=$${why:-exit status $$status}; \
	if [ ! -f "$(VENV)/pyvenv.cfg" ]; then \
		echo "error: $(PY) cannot import pip ($$why) and $(VENV) is no venv (no pyvenv.cfg): left as it is (give another VENV=)" >&2; \
		exit 1; fi; \
	other=$$(ls -A "$(VENV)" | grep -vxE '$(VENV_OWN_ENTRIES)' | head -n 1); \
	if [ -n "$$other" ]; then \
		echo "error: $(PY) cannot import pip ($$why) and $(VENV) holds $$other besides a venv's own files: left as it is (if it is a venv, remove it and make again; else give another VENV=)" >&2; \
		exit 1; fi; \
	echo "$(VENV) has no pip (left half-made by an older Makefile?): removing it and making it again" >&2; \
	rm -rf "$(VENV)" && { $(make_venv); }; }
endef

$(VENV)/.installed-runtime: requirements.txt | $(VENV)/bin/python
	$(remake_venv_without_pip)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

# After the runtime install, never beside it: under -j (make -j run test) the two rules at
# once had one remove the venv to remake it while the other checked or installed into it.
# requirements-dev.txt includes requirements.txt, so this pip finds those installed.
$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(remake_venv_without_pip)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

# Xvfb, xrandr and the X libraries PyQt6's xcb plugin needs, for the real-window tests.
system-deps:
	@bash scripts/install-system-deps.sh

clean:
	rm -rf $(VENV)
