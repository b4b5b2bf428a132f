# shellcheck shell=bash
# `./dev up`: the whole shop on this machine. The dependencies (scripts/dev/deps.sh), the shop's own nats-server
# (scripts/dev/nats.sh), each service with its own NATS user on its port from infra/ports.txt, and nginx in
# front of the built storefront. Everything it started stops again when it ends (Ctrl-C).

UP_LOCK="$DEV/up.pid" # the pid of the running `./dev up` of this checkout
FRONTEND="$ROOT/frontend"
# Where cargo puts the binaries (a relative CARGO_TARGET_DIR is relative to the repository root, where ./dev runs).
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

cmd_up() {
  if [ -f "$UP_LOCK" ] && kill -0 "$(cat "$UP_LOCK")" 2>/dev/null; then
    say "the shop is already up (./dev up, pid $(cat "$UP_LOCK")); press Ctrl-C there to stop it"
    print_urls
    exit 0
  fi
  echo $$ >"$UP_LOCK"
  trap 'say "stopping"; stop_started; rm -f "$UP_LOCK"; exit 0' INT TERM
  trap 'stop_started; rm -f "$UP_LOCK"' EXIT

  ensure_dependencies
  start_nats
  ensure_node
  say "building the services"
  cargo build --workspace --bins
  build_frontend

  # Product photos live in a moto bucket, created when missing (by the demo import's photos or the catalog).
  export IMAGES_BUCKET="${IMAGES_BUCKET:-shop-images}" S3_CREATE_BUCKET="${S3_CREATE_BUCKET:-true}"
  seed_demo_catalog

  # Local stand-ins: the mailer writes .eml files a developer can open; the bridge forwards to a moto queue.
  export MAIL_TRANSPORT="${MAIL_TRANSPORT:-file}" MAIL_DIR="${MAIL_DIR:-$DEV/mail}"
  export SQS_QUEUE_NAME="${SQS_QUEUE_NAME:-shop-orders}" SQS_CREATE_QUEUE="${SQS_CREATE_QUEUE:-true}"
  # Order links in pages and emails point at the storefront behind the proxy.
  export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:${PORT[proxy]}}"
  # The proxy connects from 127.0.0.2 (infra/nginx/nginx.local.conf.template): its X-Forwarded-For names the
  # shopper for the rate limits; a client calling a service port directly is keyed on its own address.
  export TRUSTED_PROXIES="${TRUSTED_PROXIES:-127.0.0.2}"
  configure_meilisearch

  local service
  for service in "${SERVICES[@]}"; do
    listening "${PORT[$service]}" && fail "port ${PORT[$service]} (for $service) is taken by another program"
    start_background "$service" "$LOGS/$service.log" run_service "$service" "${PORT[$service]}"
  done
  for service in "${SERVICES[@]}"; do
    wait_ready "$service" "${PORT[$service]}"
  done
  ensure_admin_owner
  start_proxy
  print_urls
  say "logs in $LOGS; press Ctrl-C to stop everything started here"
  wait
}

run_service() { # service port; exec'd in the background with its own NATS user and password only
  unset NATS_CREDS # a developer's own setting would conflict with the password
  export HTTP_ADDR="127.0.0.1:$2" NATS_URL="nats://127.0.0.1:${PORT[nats]}" NATS_USER="$1" NATS_PASSWORD="${NATS_PASSWORD_OF[$1]}"
  DATABASE_URL=$(database_url "$1")
  export DATABASE_URL
  if [ "$1" = admin ]; then
    # Image uploads (up to 10 MiB; the proxy allows 12m on /admin/ only), and the key TOTP secrets are sealed
    # with: generated once into .dev (mode 600, never committed) unless one is set.
    export HTTP_MAX_BODY_BYTES="${HTTP_MAX_BODY_BYTES:-12582912}"
    ADMIN_TOTP_KEY="${ADMIN_TOTP_KEY:-$(admin_totp_key)}"
    export ADMIN_TOTP_KEY
  fi
  exec "$TARGET_DIR/debug/$1"
}

# The web admin's first owner, for the demo: owner@shop.local with a random password generated once into
# .dev/admin-owner-password (mode 600, never committed; there is no default password). When owner@shop.local
# exists already (another checkout's on a shared MariaDB, or after the file was deleted) its password is set to
# the file's, so the file always signs in; nothing changes when it matches.
ADMIN_OWNER_EMAIL=owner@shop.local
ADMIN_OWNER_PASSWORD_FILE="$DEV/admin-owner-password"
ensure_admin_owner() {
  if [ ! -s "$ADMIN_OWNER_PASSWORD_FILE" ]; then
    (
      umask 077
      printf 'a%s\n' "$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')" >"$ADMIN_OWNER_PASSWORD_FILE"
    )
  fi
  chmod 600 "$ADMIN_OWNER_PASSWORD_FILE"
  DATABASE_URL=$(database_url admin) "$TARGET_DIR/debug/admin" create-user --email "$ADMIN_OWNER_EMAIL" \
    --role owner --or-set-password <"$ADMIN_OWNER_PASSWORD_FILE" >>"$LOGS/admin.log" 2>&1 ||
    fail "cannot create the admin's owner (see $LOGS/admin.log)"
}

admin_totp_key() {
  local file="$DEV/admin-totp-key"
  if [ ! -s "$file" ]; then
    (
      umask 077
      head -c 32 /dev/urandom | base64 >"$file"
    )
  fi
  cat "$file"
}

# The service's own schema and user (infra/mariadb-init.sh) on the MariaDB of the ports table: the services'
# built-in default names the standard port, which is another shop's under DEV_PORTS.
database_url() { # service
  local schema=${1//-/_}
  echo "mysql://$schema:$schema@127.0.0.1:${PORT[mariadb]}/$schema"
}

# Meilisearch is optional: with MEILI_URL set, the indexer keeps an index there (with MEILI_API_KEY, or the
# MEILI_MASTER_KEY given for local use) and the catalog searches it with a search-only key: MEILI_SEARCH_KEY,
# or Meilisearch's "Default Search API Key" read with the master key.
configure_meilisearch() {
  [ -n "${MEILI_URL:-}" ] || return 0
  curl -fs "${MEILI_URL%/}/health" >/dev/null || fail "MEILI_URL=$MEILI_URL does not answer /health"
  export MEILI_URL
  if [ -n "${MEILI_MASTER_KEY:-}" ]; then
    export MEILI_API_KEY="${MEILI_API_KEY:-$MEILI_MASTER_KEY}"
    if [ -z "${MEILI_SEARCH_KEY:-}" ]; then
      MEILI_SEARCH_KEY=$(curl -fs -H "Authorization: Bearer $MEILI_MASTER_KEY" "${MEILI_URL%/}/keys" |
        python3 -c 'import json, sys
keys = json.load(sys.stdin)["results"]
print(next(k["key"] for k in keys if k["actions"] == ["search"] and k["indexes"] == ["*"]))') ||
        fail "cannot read Meilisearch's default search key with MEILI_MASTER_KEY"
    fi
  fi
  export MEILI_SEARCH_KEY="${MEILI_SEARCH_KEY:-}" MEILI_API_KEY="${MEILI_API_KEY:-}"
  say "Meilisearch at $MEILI_URL: the catalog searches it, MySQL FULLTEXT as the fallback"
}

# The shared real catalog when it is beside the repository, else the built-in demo catalog. Idempotent: a
# second run finds every product unchanged and writes nothing.
seed_demo_catalog() {
  local data="$ROOT/../shared/data/products-bestbuy.json"
  if [ -f "$data" ]; then
    say "loading the demo catalog from $data"
    DATABASE_URL=$(database_url catalog) "$TARGET_DIR/debug/catalog" import "$data"
  else
    say "loading the built-in demo catalog"
    DATABASE_URL=$(database_url catalog) "$TARGET_DIR/debug/catalog" seed
  fi
  # Beside it, the demo store: departments, products with variants, real photos.
  local demo="$ROOT/../shared/data/demo-store"
  if [ -f "$demo/products.json" ]; then
    say "loading the demo store from $demo"
    DATABASE_URL=$(database_url catalog) "$TARGET_DIR/debug/catalog" import-demo "$demo"
  fi
}

wait_ready() { # service port
  local i
  for ((i = 0; i < 600; i++)); do
    curl -fs "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail -n 20 "$LOGS/$1.log" >&2 || true
  fail "$1 did not become ready on port $2 (log: $LOGS/$1.log)"
}

# --- the storefront and its reverse proxy ----------------------------------------------------------------------

npm_ci_if_changed() { # npm ci only when the lock file changed since the last install
  if [ ! -f "$FRONTEND/node_modules/.package-lock.json" ] ||
    [ "$FRONTEND/package-lock.json" -nt "$FRONTEND/node_modules/.package-lock.json" ]; then
    (cd "$FRONTEND" && npm ci --no-audit --no-fund)
  fi
}

build_frontend() {
  say "building the storefront"
  npm_ci_if_changed >>"$LOGS/frontend.log" 2>&1 || fail "npm ci failed (see $LOGS/frontend.log)"
  (cd "$FRONTEND" && npm run build) >>"$LOGS/frontend.log" 2>&1 || fail "the storefront build failed (see $LOGS/frontend.log)"
}

start_proxy() {
  ensure_nginx
  listening "${PORT[proxy]}" && fail "port ${PORT[proxy]} (for the reverse proxy) is taken by another program"
  local run="$DEV/nginx" nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  mkdir -p "$run/tmp"
  sed -e "s|@RUN_DIR@|$run|g" -e "s|@FRONTEND_DIST@|$FRONTEND/dist|g" -e "s|@NGINX_DIR@|$ROOT/infra/nginx|g" \
    -e "s|@PROXY_PORT@|${PORT[proxy]}|g" -e "s|@CATALOG_PORT@|${PORT[catalog]}|g" -e "s|@CHECKOUT_PORT@|${PORT[checkout]}|g" \
    -e "s|@ADMIN_PORT@|${PORT[admin]}|g" -e "s|@ACCOUNTS_PORT@|${PORT[accounts]}|g" \
    "$ROOT/infra/nginx/nginx.local.conf.template" >"$run/nginx.conf"
  "$nginx" -t -q -e stderr -p "$run/" -c "$run/nginx.conf" -g 'daemon off;' >>"$LOGS/nginx.log" 2>&1 ||
    fail "the proxy config is invalid (see $LOGS/nginx.log)"
  start_background nginx "$LOGS/nginx.log" "$nginx" -e stderr -p "$run/" -c "$run/nginx.conf" -g 'daemon off;'
  wait_for_port "${PORT[proxy]}" nginx 10
}

print_urls() {
  local service
  printf '\n  The shop is up:\n'
  printf '    %-15s http://127.0.0.1:%s   (nginx: the SPA; /api -> catalog and checkout)\n' storefront "${PORT[proxy]}"
  printf '    %-15s http://127.0.0.1:%s/admin   (sign in as %s, password %s, kept in %s)\n' admin "${PORT[proxy]}" \
    "$ADMIN_OWNER_EMAIL" "$(cat "$ADMIN_OWNER_PASSWORD_FILE" 2>/dev/null || echo '?')" "$ADMIN_OWNER_PASSWORD_FILE"
  for service in "${SERVICES[@]}"; do
    printf '    %-15s http://127.0.0.1:%s   (NATS service "%s")\n' "$service" "${PORT[$service]}" "$service"
  done
  cat <<EOF
    each serves /healthz, /readyz and /metrics

    MariaDB         127.0.0.1:${PORT[mariadb]}   (schemas catalog, checkout, mailer, search_indexer, bridge, admin, accounts)
    NATS            nats://127.0.0.1:${PORT[nats]}   (the shop's own nats-server: streams CATALOG, ORDERS, ACCOUNTS, DEADLETTER;
                    a user per service, passwords in $NATS_PASSWORDS_FILE; monitoring http://127.0.0.1:${PORT[nats-monitor]})
    SQS/SES (moto)  $AWS_ENDPOINT_URL   (queue ${SQS_QUEUE_NAME:-shop-orders})
    emails          ${MAIL_DIR:-$DEV/mail}/*.eml
    Meilisearch     ${MEILI_URL:-not configured (set MEILI_URL to use it; search uses MySQL FULLTEXT)}

  The nats CLI, as the operator (ops: everything) or read-only (monitor: streams, consumers, services; no messages):
    nats context save shop-ops --server nats://127.0.0.1:${PORT[nats]} --user ops \\
      --password "\$(sed -n 's/^NATS_OPS_PASSWORD=//p' $NATS_PASSWORDS_FILE)"
    nats context save shop-monitor --server nats://127.0.0.1:${PORT[nats]} --user monitor --inbox-prefix _INBOX_monitor \\
      --password "\$(sed -n 's/^NATS_MONITOR_PASSWORD=//p' $NATS_PASSWORDS_FILE)"
    nats --context shop-monitor micro ls

EOF
}
