# Developer commands of the patient_collections Odoo 18.0 addon.
# The logic lives in scripts/*.sh; see README.md. `make help` lists the targets.

# Odoo 18.0 source tree (the folder holding odoo-bin).
ODOO_PATH ?= /opt/odoo
# Extra Odoo test tags for `make test`, added to /patient_collections.
# By default, Odoo's own accounting tests that the module could disturb
# (customer invoices and refunds, reconciliation, payments, partners) run with
# the module installed.  test_partial_payments_auto_validation is left out: it
# fails on a plain Odoo 18.0 with only `account` installed (it expects a
# payment method without outstanding account, which no installed module gives).
ACCOUNT_TEST_TAGS := /account:TestAccountMoveOutInvoiceOnchanges,/account:TestAccountMoveOutRefundOnchanges,/account:TestAccountPaymentRegister,/account:TestAccountMoveReconcile,/account:TestAccountPartner,/account:TestMergePartner,/account:TestAccountMovePaymentsWidget,/account:TestAccountPayment,-/account:TestAccountMoveReconcile.test_partial_payments_auto_validation
ODOO_TEST_TAGS ?= $(ACCOUNT_TEST_TAGS)
# HTTP port and database of `make run` (`make drop-demo` drops that database).
HTTP_PORT ?= 8069
PC_DEMO_DB ?= pc_demo

export ODOO_PATH ODOO_TEST_TAGS HTTP_PORT PC_DEMO_DB

SCRIPTS := scripts

.DEFAULT_GOAL := help
.PHONY: help setup run test lint bench pot check-workers stop drop-demo clean-db clean hooks

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## venv, PostgreSQL cluster, .build/odoo.conf (done by run/test/bench too)
	@bash $(SCRIPTS)/setup.sh

run: ## install/update pc_demo with demo data and serve Odoo on http://127.0.0.1:$(HTTP_PORT)
	@bash $(SCRIPTS)/run.sh

test: ## lint, pure tests, Odoo tests, lifecycle checks; ends with "N passed, N failed, N skipped"
	@bash $(SCRIPTS)/test.sh

lint: ## ruff, pylint-odoo and the OCA XML/manifest checks
	@bash $(SCRIPTS)/lint.sh

bench: ## run bench/*.py against a fresh pc_bench database
	@bash $(SCRIPTS)/bench.sh

pot: ## export i18n/patient_collections.pot and merge it into i18n/*.po (lists what is left to translate)
	@bash $(SCRIPTS)/i18n.sh

check-workers: ## start Odoo with --workers=2: the websocket (gevent) worker must stay up 10 s
	@bash $(SCRIPTS)/check_workers.sh

stop: ## stop the project's PostgreSQL cluster
	@bash $(SCRIPTS)/stop.sh

drop-demo: ## drop the demo database, pc_demo (next make run recreates it)
	@bash $(SCRIPTS)/drop_db.sh $(PC_DEMO_DB)

clean-db: ## stop and delete the PostgreSQL cluster and all its databases
	@bash $(SCRIPTS)/clean.sh db

clean: ## clean-db, and delete .build/ (the .venv/ stays)
	@bash $(SCRIPTS)/clean.sh all

hooks: ## install the git pre-commit hook (.pre-commit-config.yaml)
	@bash -c 'source $(SCRIPTS)/lib.sh && ensure_venv && "$$VENV_DIR/bin/pre-commit" install'
