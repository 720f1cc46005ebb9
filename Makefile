# Set-up is two commands: `make simulate` (the main job on the default board and data) and `make test`.
SWIFT ?= swift
MCUTRAIN = .build/release/mcutrain
FUZZ = .build/release/mcutrain-fuzz
# `make install PREFIX=...` puts the tool in $(PREFIX)/bin and what it reads at run time in
# $(PREFIX)/share/mcutrain, where the installed executable looks first (see ProjectPaths).
PREFIX ?= /usr/local
RESOURCES = Boards Firmware Examples Data

.PHONY: deps build simulate test bench fuzz csv-memory install install-files clean

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

# 100,000 mutated inputs per loader (model, board, CSV, ELF) in worker processes; a trap, a
# hang or a refusal that does not name the file is printed and its input saved in fuzz-findings/.
fuzz: deps
	$(SWIFT) build -c release --product mcutrain-fuzz
	$(FUZZ) --count 100000

# Peak RSS of loading and splitting a generated 200 MB pandas-style CSV.
csv-memory: deps
	$(SWIFT) build -c release --product mcutrain-fuzz
	@mkdir -p .mcutrain
	$(FUZZ) make-csv .mcutrain/200MB.csv 200000000
	$(FUZZ) load-csv .mcutrain/200MB.csv

install: build
	$(MAKE) install-files PREFIX="$(PREFIX)"

# Copies an already built $(MCUTRAIN) and the resources; `install` builds it first.
install-files:
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/mcutrain"
	install -m 755 "$(MCUTRAIN)" "$(PREFIX)/bin/mcutrain"
	rm -rf $(addprefix "$(PREFIX)/share/mcutrain/",$(RESOURCES))
	cp -R $(RESOURCES) "$(PREFIX)/share/mcutrain/"

clean:
	rm -rf .build .mcutrain
