# Revenue Counter. `make run` serves the app on http://127.0.0.1:8000; `make test` runs every check.
PY := .venv/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run worker test install lint format migrate shell clean-db bench bench-receipts bench-renewals bench-citations bench-search bench-reads bench-bills

.venv/.installed: pyproject.toml constraints/build.txt
	python3 -m venv .venv
	$(PY) -m pip install -q -U pip
	$(PY) -m pip install -q --build-constraint constraints/build.txt -e '.[dev]'
	touch $@

install:
	bash scripts/system-deps.sh --with-browser
	$(MAKE) --no-print-directory .venv/.installed

run: install
	scripts/with-db.sh scripts/serve.sh $(HOST)

worker: install
	scripts/with-db.sh $(PY) manage.py procrastinate worker

test: install lint
	scripts/with-db.sh $(PY) -m pytest $(ARGS)

lint: .venv/.installed
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: .venv/.installed
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrate: install
	scripts/with-db.sh $(PY) manage.py migrate --noinput

shell: install
	scripts/with-db.sh $(PY) manage.py shell

clean-db:
	$(PY) scripts/pg.py destroy

bench: install
	scripts/with-db.sh $(PY) bench/bench_ledger.py $(ARGS)

bench-receipts: install
	scripts/with-db.sh $(PY) bench/bench_receipts.py $(ARGS)

bench-renewals: install
	scripts/with-db.sh $(PY) bench/bench_renewals.py $(ARGS)

bench-citations: install
	scripts/with-db.sh $(PY) bench/bench_citation_import.py $(ARGS)

bench-search: install
	scripts/with-db.sh $(PY) bench/bench_search.py $(ARGS)

bench-bills: install
	scripts/with-db.sh $(PY) bench/bench_bill_run.py $(ARGS)

bench-reads: install
	scripts/with-db.sh $(PY) bench/bench_read_import.py $(ARGS)
