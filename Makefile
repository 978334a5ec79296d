# Quad: the two commands a fresh Debian machine needs are `make run` and `make test`.
# Both install what is missing first (scripts/install-deps.sh).

SHELL     := /bin/bash
SWIFT     ?= swift
CONFIG    ?= debug
DATA      ?= ./data
PORT      ?= 8080
SEEDS     ?= 300
LONG_SEEDS ?= 5000

.PHONY: deps pydeps build run test test-browser test-faults-short test-faults test-faults-checker screenshots test-long sim bench bench-check bench-thresholds bench-compare clean

deps:
	@scripts/install-deps.sh

## The calendar-feed tests read feeds back with an independent parser (PyPI icalendar).
pydeps:
	@python3 -c 'import icalendar, dateutil' 2>/dev/null \
		|| python3 -m pip install --quiet 'icalendar>=6,<8' 2>/dev/null \
		|| python3 -m pip install --quiet --break-system-packages 'icalendar>=6,<8' \
		|| scripts/install-deps.sh python3-icalendar

build: deps
	$(SWIFT) build -c $(CONFIG) --product quad
	$(SWIFT) build -c $(CONFIG) --product quadctl

## Builds and starts one node on http://127.0.0.1:$(PORT) with data in $(DATA) and
## development sign-in on (tokens from `quadctl dev-token`).
run: build
	mkdir -p $(DATA)
	$$($(SWIFT) build -c $(CONFIG) --show-bin-path)/quad --data-dir $(DATA) --port $(PORT) --dev-signin

## The default suite: unit, storage, API-through-a-socket, crash/restart process tests and
## a few hundred Raft simulation seeds.
test: deps pydeps
	$(SWIFT) build --build-tests
	QUAD_BIN_PATH=$$($(SWIFT) build --show-bin-path) $(SWIFT) test
	$(MAKE) test-browser
	$(MAKE) test-faults-short

## The fault suite (cluster/faults, docs/faults.md): real quad processes on loopback, every peer
## link through a fault-injecting proxy, client traffic, one fault at a time from a seeded plan,
## then a checker over the recorded history. The checker's own tests run first. Both end with
## `faults: acknowledged=N lost=0 duplicated=0 reordered=0 stale=0 faults=K max_unavailable_ms=M`
## and fail on any violation. FAULTS_SEED=S repeats a run (the seed is printed first).
## Every node runs with --simulate-power-loss, so each SIGKILL is a power cut that loses unsynced
## writes; an LD_PRELOAD library (cluster/faults/slowdisk.c) slows fsync on demand.
## test-faults-short: 3 nodes, 14 faults (7 kinds twice), about 3 minutes, then the canary (about 1
## minute): nodes with --unsafe-no-fsync lose power, and the run passes only if the checker finds the
## acknowledged posts that lost. test-faults: the full schedule on FAULTS_NODES (default 5) nodes,
## 24 faults, about 5 minutes, then the canary.
FAULTS_SEED  ?=
FAULTS_NODES ?= 5
test-faults-checker:
	python3 -m unittest discover -s cluster/faults -p 'test_*.py'

test-faults-short: deps test-faults-checker
	$(SWIFT) build --product quad
	$(SWIFT) build --product quadctl
	python3 cluster/faults/run.py --bin $$($(SWIFT) build --show-bin-path) --plan short --nodes 3 \
		$(if $(FAULTS_SEED),--seed $(FAULTS_SEED))
	python3 cluster/faults/run.py --bin $$($(SWIFT) build --show-bin-path) --plan canary --nodes 3 \
		$(if $(FAULTS_SEED),--seed $(FAULTS_SEED))

test-faults: deps test-faults-checker
	$(SWIFT) build --product quad
	$(SWIFT) build --product quadctl
	python3 cluster/faults/run.py --bin $$($(SWIFT) build --show-bin-path) --plan full --nodes $(FAULTS_NODES) \
		$(if $(FAULTS_SEED),--seed $(FAULTS_SEED))
	python3 cluster/faults/run.py --bin $$($(SWIFT) build --show-bin-path) --plan canary --nodes 3 \
		$(if $(FAULTS_SEED),--seed $(FAULTS_SEED))

## Browser tests of the web client (Tests/browser, docs/web-client.md): Debian's chromium,
## chromium-driver and an emoji font (for the screenshots), Selenium from PyPI in a venv under
## .build, a real node on a free loopback port with a temporary data directory. About 30
## seconds after the build. `make screenshots` also refreshes docs/screenshots/.
WEBTEST_VENV    ?= .build/webtest-venv
SCREENSHOTS_DIR ?= .build/browser-screenshots
test-browser: deps
	@scripts/install-deps.sh chromium chromium-driver fonts-noto-color-emoji
	@test -x $(WEBTEST_VENV)/bin/pip || python3 -m venv $(WEBTEST_VENV) 2>/dev/null \
		|| { scripts/install-deps.sh python3-venv && python3 -m venv $(WEBTEST_VENV); }
	@$(WEBTEST_VENV)/bin/python -c 'import selenium' 2>/dev/null \
		|| $(WEBTEST_VENV)/bin/pip install --quiet 'selenium>=4.20,<5'
	$(SWIFT) build --product quad
	$(WEBTEST_VENV)/bin/python Tests/browser/run_browser_tests.py $$($(SWIFT) build --show-bin-path)/quad \
		--screenshots $(SCREENSHOTS_DIR)

screenshots:
	$(MAKE) test-browser SCREENSHOTS_DIR=docs/screenshots

## Thousands of Raft simulation seeds, then the leader-kill failover test FAILOVER_RUNS times
## (each prints `cluster-failover: first acknowledged write ... after SIGKILL of the leader`).
FAILOVER_RUNS ?= 10
test-long: deps
	$(SWIFT) build -c release --product quad-raft-sim
	$$($(SWIFT) build -c release --show-bin-path)/quad-raft-sim --seeds $(LONG_SEEDS)
	$(SWIFT) build --build-tests
	for run in $$(seq 1 $(FAILOVER_RUNS)); do \
		QUAD_BIN_PATH=$$($(SWIFT) build --show-bin-path) $(SWIFT) test --skip-build \
			--filter ClusterTests/leaderKillDuringWrites > .build/failover.log 2>&1 \
			|| { cat .build/failover.log; exit 1; }; \
		grep 'cluster-failover' .build/failover.log; \
	done

## Raft simulation: seeds 1..SEEDS; ends with `raft-sim: seeds=N steps=S violations=V`.
sim: deps
	$(SWIFT) build -c release --product quad-raft-sim
	$$($(SWIFT) build -c release --show-bin-path)/quad-raft-sim --seeds $(SEEDS)

## Micro benchmarks (a separate package, so `make test` never builds them): Raft steps and
## commits, command codec, state-machine apply, log appends with and without fsync, history reads.
bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark --skip-target quad-bench

## Fails when a micro benchmark allocates more than Benchmarks/Thresholds allows (allocation
## counts only: times on a shared machine are not a pass/fail signal). Fewer allocations than
## the thresholds pass, with a note to record them (`make bench-thresholds`). About 4 minutes.
bench-check: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark thresholds check --skip-target quad-bench \
		--path $(CURDIR)/Benchmarks/Thresholds 2>&1 | tee .build/bench-check.log; \
		status=$${PIPESTATUS[0]}; \
		if [ $$status -ne 0 ] && grep -q 'BETTER than the defined thresholds' .build/bench-check.log \
			&& ! grep -q 'WORSE than the defined thresholds' .build/bench-check.log; then \
			echo "bench-check: fewer allocations than the thresholds; record them with make bench-thresholds"; \
			status=0; fi; exit $$status

## Records the current allocation counts as the thresholds (review the diff before committing).
bench-thresholds: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox --allow-writing-to-package-directory \
		benchmark thresholds update --skip-target quad-bench --path $(CURDIR)/Benchmarks/Thresholds
	python3 scripts/keep-allocation-thresholds.py Benchmarks/Thresholds

## The load tool against a local 3-node Quad cluster and a 3-member etcd (Debian's etcd-server),
## alternating rounds; ends with `quad/etcd post throughput ratio: X.XX`.
DURATION ?= 20
CLIENTS  ?= 16
bench-compare: deps
	@scripts/install-deps.sh etcd-server
	cd Benchmarks && $(SWIFT) build -c release --product quad && $(SWIFT) build -c release --product quadctl \
		&& $(SWIFT) build -c release --product quad-bench
	Benchmarks/.build/release/quad-bench --compare-etcd --workloads post,read --duration $(DURATION) \
		--clients $(CLIENTS)

clean:
	rm -rf .build
