# Two set-up commands: `make run` (demo on SQLite) and `make test` (the whole suite).
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
FLASK  := $(BIN)/flask --app app
PORT   ?= 5000

.PHONY: run test lint audit bench bootstrap translations system-deps extract-messages worker

$(STAMP): requirements.txt
	@test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

system-deps:
	@sh tools/system_deps.sh

translations: $(STAMP)
	@$(BIN)/pybabel compile -f -d trainee/translations >/dev/null

bootstrap: $(STAMP) system-deps translations

run: bootstrap
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: bootstrap
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check trainee app.py tests $(wildcard bench)

DEVSTAMP := $(VENV)/.installed-dev-$(shell sha1sum requirements-dev.txt | cut -c1-12)

$(DEVSTAMP): requirements-dev.txt $(STAMP)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-dev-*; touch $(DEVSTAMP)

# Security checks (SECURITY.md): bandit fails on any medium/high finding; the dependency audit fails on a known
# vulnerability and says loudly when its database cannot be reached (exit 3; AUDIT_STRICT=1 makes that fatal).
audit: $(DEVSTAMP)
	$(BIN)/bandit -q -r trainee app.py --severity-level medium
	@$(BIN)/python tools/audit_deps.py; rc=$$?; \
	if [ $$rc -eq 3 ] && [ "$${AUDIT_STRICT:-0}" != "1" ]; then \
	  echo "!! DEPENDENCY AUDIT NOT PERFORMED: vulnerability database unreachable (see above). Not a pass." >&2; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

bench: bootstrap
	$(BIN)/python bench/run.py $(BENCH_ARGS)

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o trainee/translations/messages.pot .
	$(BIN)/pybabel update -i trainee/translations/messages.pot -d trainee/translations

# Batch dossier jobs on the RQ queue (needs REDIS_URL; without it jobs run in the web process).
worker: bootstrap
	$(FLASK) dossier-worker
