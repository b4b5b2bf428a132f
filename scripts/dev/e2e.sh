# shellcheck shell=bash
# The end-to-end tests of the storefront and the admin (frontend/e2e): `./dev e2e`, and the last step of
# `./dev test`. They run against the shop of a running `./dev up` of this checkout, or against one started here
# for the test and stopped again afterwards (also when the test fails).

E2E_STACK_PID=   # the `./dev up` started for the end-to-end test; empty when it reuses one (or none runs)
E2E_STACK_READY= # set once that shop answered
E2E_UP_LOG="$LOGS/e2e-up.log"

cmd_e2e() {
  trap 'stop_e2e_stack; stop_started' EXIT
  run_e2e
}

run_e2e() {
  command -v curl >/dev/null || apt_install curl
  ensure_chromium
  local up_pid=
  if [ -f "$UP_LOCK" ] && kill -0 "$(cat "$UP_LOCK")" 2>/dev/null; then
    up_pid=$(cat "$UP_LOCK")
    say "end-to-end: reusing the shop of ./dev up (pid $up_pid)"
    shop_answers || say "end-to-end: waiting for it to answer"
    wait_for_shop "$up_pid" "$LOGS" "${E2E_UP_TIMEOUT_SECS:-1200}"
  elif listening "${PORT[proxy]}"; then
    fail "127.0.0.1:${PORT[proxy]} is taken, but not by a ./dev up of this checkout: stop that program, or run" \
      "\`cd frontend && npm run e2e\` against it yourself (E2E_BASE_URL, E2E_MAIL_DIR, E2E_SQS_ENDPOINT)"
  else
    : >"$E2E_UP_LOG"
    # A session of its own: the process group to stop if it is still compiling, and no terminal signals.
    setsid "$ROOT/dev" up >>"$E2E_UP_LOG" 2>&1 </dev/null &
    E2E_STACK_PID=$!
    say "end-to-end: started ./dev up (pid $E2E_STACK_PID, log $E2E_UP_LOG)"
    wait_for_shop "$E2E_STACK_PID" "$E2E_UP_LOG" "${E2E_UP_TIMEOUT_SECS:-1200}"
    E2E_STACK_READY=1
  fi

  ensure_node
  npm_ci_if_changed
  say "storefront and admin: end-to-end tests (screenshots in frontend/e2e-artifacts/)"
  # Where `./dev up` has the mailer write its .eml files and the bridge send to SQS (see cmd_up).
  (cd "$FRONTEND" &&
    E2E_BASE_URL="http://127.0.0.1:${PORT[proxy]}" E2E_MAIL_DIR="${MAIL_DIR:-$DEV/mail}" \
      E2E_SQS_ENDPOINT="$AWS_ENDPOINT_URL" E2E_SQS_QUEUE="${SQS_QUEUE_NAME:-shop-orders}" npm run e2e)
  stop_e2e_stack
}

shop_answers() { # the storefront through the proxy, and the catalog and checkout behind it
  curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:${PORT[proxy]}/" &&
    curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:${PORT[catalog]}/readyz" &&
    curl -fs -o /dev/null --max-time 5 "http://127.0.0.1:${PORT[checkout]}/readyz"
}

wait_for_shop() { # pid-of-dev-up log seconds
  local pid=$1 log=$2 deadline=$((SECONDS + $3))
  until shop_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2 || true
      fail "./dev up (pid $pid) ended before the shop answered (log: $log)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$log" >&2 || true
      fail "the shop did not answer on 127.0.0.1:${PORT[proxy]} (storefront), :${PORT[catalog]} and" \
        ":${PORT[checkout]} (readyz) within $3 s (log: $log; E2E_UP_TIMEOUT_SECS to wait longer)"
    fi
    sleep 1
  done
}

stop_e2e_stack() {
  [ -n "$E2E_STACK_PID" ] || return 0
  local pid=$E2E_STACK_PID
  E2E_STACK_PID=
  say "stopping the shop started for the end-to-end test (pid $pid)"
  if [ -n "$E2E_STACK_READY" ]; then
    # ./dev up stops its children in order, each with its shutdown grace.
    kill -TERM "$pid" 2>/dev/null || true
  else
    # Still starting: its trap would only run once the `cargo build` or `npm` in its foreground returns, so its
    # whole process group (its own session, see run_e2e) gets the signal.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
