# rwo-guard's make targets. The full test command is `make test` (README, "Try it"; CI's
# .ci/run calls it): it installs what the end-to-end tests need, then runs cargo fmt --check,
# clippy, every test suite (`cargo test -- --include-ignored`) and cargo deny. See
# scripts/full-test.sh.

.PHONY: test deps image

## test: install the test tools, then fmt, clippy, every test suite, cargo deny
test:
	bash scripts/full-test.sh

## deps: install (or check) what the end-to-end tests need; idempotent
deps:
	bash scripts/install-deps.sh

## image: build the container image offline (podman or docker) as localhost/rwo-guard:dev
image:
	bash scripts/build-image.sh
