# Synod's build, test and measurement entry points.
GO        ?= go
SEEDS     ?= 200
PKGS      ?= ./...
BENCHTIME ?= 1s

.PHONY: all build run test test-short vet lint fuzz sim gossip-sim bench bench-compare deps clean

all: build

build:
	$(GO) build -o bin/synod ./cmd/synod

# Start a single server with embedded defaults (127.0.0.1:2181, ./synod-data).
run:
	$(GO) run ./cmd/synod server

deps:
	./scripts/deps.sh

# The whole test suite, as CI runs it.
test: deps
	$(GO) vet $(PKGS)
	$(GO) test -timeout 14m $(PKGS)

test-short:
	$(GO) test -short -timeout 5m $(PKGS)

lint:
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest $(PKGS)

# Fuzz every decoder for FUZZTIME each (default 30s).
FUZZTIME ?= 30s
fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

# Deterministic Multi-Paxos simulation over SEEDS seeds.
sim:
	$(GO) run ./internal/sim/cmd/paxos-sim -seeds $(SEEDS)

# Gossip scale study.
gossip-sim:
	$(GO) run ./internal/gossip/cmd/gossip-sim

bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) $(PKGS)

# Synod vs Apache ZooKeeper (both forceSync=yes) into bench/results/:
# ~15 min; SCALE=1 adds 1M/3M-znode runs, TOPOLOGY=ensemble3 a ZK ensemble.
bench-compare: deps build
	./scripts/bench-compare.sh

clean:
	rm -rf bin synod-data
