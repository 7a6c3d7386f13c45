# The two commands of the README: `make run` and `make test`. Both set everything up first.
PY := .venv/bin/python

.PHONY: run test setup model validate bench scale-out screenshots clean

setup:
	@bash scripts/bootstrap.sh

model: setup
	@$(PY) -m scripts.model

run: setup
	@$(PY) -m scripts.run

test: model
	@bash scripts/browser_deps.sh
	@bash scripts/scaleout_deps.sh || echo "==> 没有 nginx：tests/scaleout 将被跳过"
	@echo "==> Running the test suite"
	@$(PY) -m pytest
	@bash scripts/clock_ahead.sh

validate: setup
	@.venv/bin/rasa data validate --data bot/data --domain domain.yml --config config.yml --fail-on-warnings

bench: model
	@$(PY) -m bench.latency

# The scale-out configuration on this machine: PostgreSQL, Redis, two Rasa and two action
# servers behind nginx (docs/scale-out.md).
scale-out: model
	@bash scripts/scaleout_deps.sh
	@$(PY) -m scripts.scaleout

screenshots: model
	@bash scripts/browser_deps.sh
	@$(PY) -m scripts.screenshots
	@$(PY) -m scripts.manager_screenshots

clean:
	rm -rf var bot/models/*.tar.gz .pytest_cache
