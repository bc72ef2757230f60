# agentwatch — build, test, demo, install.
PREFIX ?= /usr/local
SWIFT ?= swift
CC ?= cc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build and the tests use.
DEB_PACKAGES := libelf-dev libunwind-dev liblzma-dev strace gcc libc6-dev make python3 netcat-openbsd socat chromium
# The policy pack's fixtures and honest-work tests.
DEB_PACKAGES += openssh-client curl wget git python3-venv perl iproute2
# bench-replay compares with jq.
DEB_PACKAGES += jq

FIXTURE_SRC := $(wildcard Fixtures/src/*.c)
FIXTURE_BIN := $(patsubst Fixtures/src/%.c,Fixtures/bin/%,$(FIXTURE_SRC))

.PHONY: all build debug deps fixtures test demo install bench bench-replay clean falco-compat docs

all: build

# The Swift runtime linked in: a run starts ~13 ms sooner (no shared-library
# loading and relocation; every agent command pays it), and the binary runs on
# machines without a Swift toolchain.
build:
	$(SWIFT) build -c release --static-swift-stdlib --product agentwatch

debug:
	$(SWIFT) build --product agentwatch

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

fixtures: $(FIXTURE_BIN)

Fixtures/bin/%_static: Fixtures/src/%_static.c Fixtures/src/stratum.h
	@mkdir -p Fixtures/bin
	$(CC) -O1 -Wall -static -o $@ $<

Fixtures/bin/%: Fixtures/src/%.c Fixtures/src/stratum.h
	@mkdir -p Fixtures/bin
	$(CC) -O1 -g -Wall -Wno-unused-result -Wno-format-truncation -o $@ $< -lpthread

test: deps fixtures
	$(SWIFT) build --build-tests
	$(SWIFT) test

demo: deps build fixtures
	@bash scripts/demo.sh

install: build
	install -D -m 755 .build/release/agentwatch $(DESTDIR)$(PREFIX)/bin/agentwatch
	mkdir -p $(DESTDIR)$(PREFIX)/share/agentwatch/policies
	cp -R Policies/. $(DESTDIR)$(PREFIX)/share/agentwatch/policies/

# make bench BENCH_ARGS="--runs 5"; bench/run.py --help for the others.
BENCH_ARGS ?=
bench: deps build fixtures
	/usr/bin/python3 bench/run.py $(BENCH_ARGS)

bench-replay: deps build
	/usr/bin/python3 bench/replay.py

docs: debug falco-compat
	bash scripts/gen-field-docs.sh

FALCO_RULES ?= ../shared/falco-rules
falco-compat: debug
	.build/debug/agentwatch rules --format md --title "Falco's rule files under agentwatch" \
	  $(FALCO_RULES)/falco_rules.yaml $(FALCO_RULES)/falco-incubating_rules.yaml \
	  $(FALCO_RULES)/falco-sandbox_rules.yaml > docs/falco-compat.md.tmp
	mv docs/falco-compat.md.tmp docs/falco-compat.md

# docs/detections.md from real runs of the policy-pack tests.
.PHONY: detections
detections: deps fixtures
	$(SWIFT) build --build-tests
	rm -f .build/detections.jsonl
	AGENTWATCH_DETECTIONS=$(CURDIR)/.build/detections.jsonl $(SWIFT) test --skip-build --filter 'Pack[A-Za-z]*Tests'
	/usr/bin/python3 scripts/detections.py .build/detections.jsonl Policies > docs/detections.md

clean:
	rm -rf .build Fixtures/bin
