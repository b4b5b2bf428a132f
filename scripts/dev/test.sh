# shellcheck shell=bash
# `./dev test`: the whole suite, cheapest first. Lints (shellcheck over ./dev and scripts/dev/, the checks of
# infra/ in scripts/dev/infra-check.sh, rustfmt, clippy), every Rust test against real MariaDB, NATS and moto,
# the storefront's typecheck, unit tests and build, and last its end-to-end test (scripts/dev/e2e.sh).

cmd_test() {
  trap 'stop_e2e_stack; stop_started' EXIT
  ensure_dependencies
  prepare_test_databases

  lint_scripts
  check_infra
  say "cargo fmt --check"
  cargo fmt --all -- --check
  say "cargo clippy"
  cargo clippy --workspace --all-targets --locked -- -D warnings
  say "building the service binaries for the system tests"
  cargo build --workspace --bins --locked
  # The Meilisearch tests need one at MEILI_URL (it is not in any registry); without it they print SKIPPED.
  [ -z "${MEILI_URL:-}" ] || say "Meilisearch at $MEILI_URL: its tests run against it"
  if cargo nextest --version >/dev/null 2>&1; then
    say "cargo nextest run"
    cargo nextest run --workspace --locked --no-fail-fast
  else
    say "cargo test (install cargo-nextest for faster, parallel runs)"
    cargo test --workspace --locked --no-fail-fast
  fi
  if [ -z "${MEILI_URL:-}" ]; then
    warn "SKIPPED: the Meilisearch tests (search-indexer/tests/meili) need MEILI_URL (and MEILI_MASTER_KEY);" \
      "the always-on fallback tests ran"
  fi

  ensure_node
  say "storefront: npm ci, typecheck, unit tests, build"
  (cd "$FRONTEND" && npm ci --no-audit --no-fund && npm run typecheck && npm test && npm run build)

  run_e2e
}

# ./dev and every file in scripts/dev/. Each file is checked as ./dev sources it (-x follows its `source`
# lines), so a variable one file sets and another reads is neither unused nor unassigned; a file that ./dev no
# longer sources is checked on its own.
lint_scripts() {
  ensure_shellcheck
  say "shellcheck ./dev scripts/dev/*.sh infra/*.sh"
  "$SHELLCHECK" --external-sources dev scripts/dev/*.sh infra/*.sh
}
