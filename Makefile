# Drive platform. `make demo` runs the service with demo data on SQLite;
# `make test` runs the whole test suite, PostgreSQL and browser tests
# included. See README.md.

GO      ?= go
ADDR    ?= 127.0.0.1:8080
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build assets demo test vet check-assets clean

## build: bin/drive with every asset embedded
build: assets
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/drive ./cmd/drive

## assets: compile the GOV.UK/MOJ Frontend based styles and scripts into web/static/dist
assets: web/assets/node_modules/.package-lock.json
	npm --prefix web/assets run build --silent

web/assets/node_modules/.package-lock.json: web/assets/package-lock.json web/assets/package.json
	npm --prefix web/assets ci --no-audit --no-fund --loglevel=error

## demo: a fresh demo database in var/, then the service on $(ADDR)
demo: build
	@mkdir -p var
	@rm -f var/demo.db var/demo.db-wal var/demo.db-shm var/demo-credentials.json var/drive-keys.json
	bin/drive demo --db var/demo.db
	@scripts/demo-hint var/demo-credentials.json $(ADDR)
	bin/drive serve --db var/demo.db --addr $(ADDR)

## test: vet, asset drift check, and every test on SQLite and a throwaway PostgreSQL
test:
	scripts/test

vet:
	$(GO) vet ./...

## check-assets: the committed web/static/dist equals a fresh build
check-assets: assets
	@git diff --quiet --exit-code -- web/static/dist || { echo "web/static/dist differs from a fresh build: run make assets and commit the result"; git --no-pager diff --stat -- web/static/dist; exit 1; }

clean:
	rm -rf bin var
