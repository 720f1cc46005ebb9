# Set-up is two commands: `make simulate` (the main job on the default board and data) and `make test`.
SWIFT ?= swift
MCUTRAIN = .build/release/mcutrain

.PHONY: deps build simulate test bench clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product mcutrain

simulate: build
	$(MCUTRAIN) simulate --board nrf52840 --model Examples/mlp-digits.json --epochs 20 --seed 1

bench: build
	$(MCUTRAIN) bench --board nrf52840 --model Examples/mlp-digits.json --steps 3000

test: deps
	$(SWIFT) test

clean:
	rm -rf .build .mcutrain
