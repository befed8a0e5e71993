# Set-up, tests and demo. `make demo` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages: desktop apps and their sandbox, the browser, PostgreSQL for the store tests.
APT_PACKAGES := xvfb xdotool x11-utils openbox bubblewrap dbus-x11 at-spi2-core python3-pyatspi \
	libreoffice-calc libreoffice-writer libreoffice-gtk3 mousepad pcmanfm xterm imagemagick \
	chromium fonts-dejavu-core fonts-liberation xfonts-base procps postgresql \
	libreoffice-impress gimp thunderbird vlc dconf-cli libglib2.0-bin xsel python-is-python3 \
	gnome-settings-daemon-common
PYTEST_ARGS ?=

.PHONY: setup apt venv test demo bench clean

setup: apt venv

# Idempotent: installs only what is missing (needs root, as on CI).
apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root (or: sudo apt-get install -y $$missing)"; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

test: setup
	set +e; $(PY) -m pytest -q -rfEsx $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

# Runs the main job on the embedded defaults (baseline agents: no GPU or API key needed) and
# prints the leaderboard. With a model endpoint up, `python -m agents run --env osworld-lite`
# runs the models instead.
demo: setup
	$(PY) -m agents run --env osworld-lite --agent oracle --split test --limit 12 --concurrency 2
	$(PY) -m agents run --env osworld-lite --agent noop --split test --limit 12 --concurrency 2
	$(PY) -m agents run --env tau2-lite --domain card_services --split test --agent oracle --user scripted
	$(PY) -m agents run --env tau2-lite --domain card_services --split test --agent noop --user scripted
	$(PY) -m agents leaderboard

bench: setup
	for b in benchmarks/*_bench.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf agent_runs .pytest_cache
