# The two commands of the README: `make run` and `make test`. Both set everything up first.
PY := .venv/bin/python

.PHONY: run test setup model validate bench clean

setup:
	@bash scripts/bootstrap.sh

model: setup
	@$(PY) -m scripts.model

run: setup
	@$(PY) -m scripts.run

test: model
	@echo "==> Running the test suite"
	@$(PY) -m pytest
	@bash scripts/clock_ahead.sh

validate: setup
	@.venv/bin/rasa data validate --data bot/data --domain domain.yml --config config.yml --fail-on-warnings

bench: model
	@$(PY) -m bench.latency

clean:
	rm -rf var bot/models/*.tar.gz .pytest_cache
