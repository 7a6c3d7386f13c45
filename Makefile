# The two commands of the README: `make run` and `make test`. Both set everything up first.
PY := .venv/bin/python

.PHONY: run test setup model validate bench screenshots clean

setup:
	@bash scripts/bootstrap.sh

model: setup
	@$(PY) -m scripts.model

run: setup
	@$(PY) -m scripts.run

test: model
	@bash scripts/browser_deps.sh
	@echo "==> Running the test suite"
	@$(PY) -m pytest
	@bash scripts/clock_ahead.sh

validate: setup
	@.venv/bin/rasa data validate --data bot/data --domain domain.yml --config config.yml --fail-on-warnings

bench: model
	@$(PY) -m bench.latency

screenshots: model
	@bash scripts/browser_deps.sh
	@$(PY) -m scripts.screenshots
	@$(PY) -m scripts.manager_screenshots

clean:
	rm -rf var bot/models/*.tar.gz .pytest_cache
