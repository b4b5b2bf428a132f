# shellcheck shell=bash
# What every part of ./dev shares: where things are, the ports and service names, messages, and the processes
# this run started (stopped again when it ends). Sourced by ./dev, which sets ROOT to the repository root and
# works from there.

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# --- where things are ------------------------------------------------------------------------------------------

DEV="$ROOT/.dev"
LOGS="$DEV/logs"
mkdir -p "$LOGS"

# --- ports and service names -----------------------------------------------------------------------------------

# infra/ports.txt, or the table DEV_PORTS names (relative to the repository root, or absolute) to run a second
# shop beside the first: `./dev up` and `./dev test` (its end-to-end test's shop included) use only its ports.
declare -A PORT=() # name -> port on 127.0.0.1, every row of the table
SERVICES=()        # the shop's own services (kind `service`), in the table's order

load_ports() { # table
  local name port kind
  [ -f "$1" ] || fail "no ports table at $1"
  while read -r name port kind _ || [ -n "$name" ]; do
    case $name in '' | '#'*) continue ;; esac
    [[ $port =~ ^[0-9]+$ ]] || fail "$1: the port of $name is not a number: $port"
    PORT[$name]=$port
    [ "$kind" != service ] || SERVICES+=("$name")
  done <"$1"
  for name in proxy mariadb nats nats-monitor moto; do
    [ -n "${PORT[$name]:-}" ] || fail "$1 has no row for $name"
  done
  [ ${#SERVICES[@]} -gt 0 ] || fail "$1 lists no service"
}
load_ports "${DEV_PORTS:-$ROOT/infra/ports.txt}"

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-mysql://shop_test:shop_test@127.0.0.1:${PORT[mariadb]}}"
export AWS_ENDPOINT_URL="${AWS_ENDPOINT_URL:-http://127.0.0.1:${PORT[moto]}}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"

# --- machine helpers -------------------------------------------------------------------------------------------

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() { # port name seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    listening "$1" && return 0
    sleep 0.1
  done
  fail "$2 did not start listening on 127.0.0.1:$1 within $3 s (see $LOGS)"
}

APT_UPDATED=
apt_install() {
  command -v apt-get >/dev/null || fail "please install: $* (no apt-get on this machine)"
  if [ -z "$APT_UPDATED" ]; then
    say "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- processes this run started --------------------------------------------------------------------------------

STARTED_PIDS=() # stopped again on exit (newest first)

start_background() { # name logfile command...
  local name=$1 log=$2
  shift 2
  "$@" >>"$log" 2>&1 &
  STARTED_PIDS=("$!" "${STARTED_PIDS[@]}")
  say "started $name (pid $!, log $log)"
}

stop_started() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}
