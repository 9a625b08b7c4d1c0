# Two commands for users: `make run` (demo server) and `make test`. See README.md.
PYTHON ?= python3
DEV = $(PYTHON) tools/dev.py

.PHONY: run test lint pot readme bench soak clicks migrate-from-resellers simulate-routing reset stop shell env

run:    ## bootstrap if needed, create the demo database once, serve Odoo on PORT (8069)
	@$(DEV) run

test:   ## bootstrap if needed, fresh test database, pytest-odoo with HTTP on (TESTS=path::name to narrow)
	@$(DEV) test $(TESTS)

lint:   ## ruff + pylint-odoo over the add-on
	@$(DEV) lint

readme: ## regenerate partner_program/README.rst from partner_program/readme/*.md
	@$(PYTHON) tools/readme_rst.py

pot:    ## export partner_program/i18n/partner_program.pot with Odoo's exporter (from the demo database)
	@$(DEV) pot

bench:  ## side-by-side benchmarks with Odoo's Resellers module (ARGS="--leads 2000 ..."), writes benchmarks/RESULTS.md
	@$(DEV) bench $(ARGS)

migrate-from-resellers: ## switch DB=name from Odoo's Resellers to partner_program, keeping its data (back it up first)
	@DB="$(DB)" $(DEV) migrate-from-resellers

simulate-routing: ## replay the last 90 days of leads (ARGS="--days N") by level weight and with the performance factor; DB=name, else the demo database
	@DB="$(DB)" $(DEV) simulate-routing $(ARGS)

clicks: ## a burst of 200 referral clicks, 50 at a time, against the demo server: clicks/s, p95, errors, count
	@$(DEV) clicks $(ARGS)

soak:   ## 2 minutes of portal traffic from 20 resellers against the demo server with workers (ARGS="--seconds 60"); ARGS="--cluster": two servers and a read replica
	@$(DEV) soak $(ARGS)

reset:  ## drop the demo database (the next `make run` recreates it)
	@$(DEV) reset

stop:   ## stop the embedded PostgreSQL cluster
	@$(DEV) stop

shell:  ## Odoo shell on the demo database
	@$(DEV) shell

env:    ## shell exports to use the runtime by hand: eval "$$(make -s env)"
	@$(DEV) env
