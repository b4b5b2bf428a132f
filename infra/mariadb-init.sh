# shellcheck shell=bash
# One schema and one user per service; a service never reads another's schema. Each user's password comes from
# <SERVICE>_DB_PASSWORD (CATALOG_DB_PASSWORD, CHECKOUT_DB_PASSWORD, MAILER_DB_PASSWORD,
# SEARCH_INDEXER_DB_PASSWORD, BRIDGE_DB_PASSWORD, ADMIN_DB_PASSWORD, ACCOUNTS_DB_PASSWORD):
#   - compose mounts this file in MariaDB's /docker-entrypoint-initdb.d/, whose entrypoint sources it (hence not
#     executable) on the first start of an empty data volume only; every password is required. A password set
#     later (a rotation) is changed with ALTER USER, not here.
#   - locally, `bash infra/mariadb-init.sh | mariadb -uroot` (./dev does it) prints the SQL; a password not set is
#     the user's name, the local development one. With `--production` every password is required (RDS).
# Safe to run again: every statement is idempotent (a user that exists keeps its password). Each user exists for
# '%' and for 'localhost': a server with anonymous ''@'localhost' accounts (fresh mariadb-install-db) would
# otherwise shadow '%' for local clients.

# The password of one service's user. Refused unless plain letters, digits, _ and -: it is written into SQL here,
# and into DATABASE_URL by compose.
shop_db_password() { # user required(0|1)
  local var="${1^^}_DB_PASSWORD"
  local password=${!var:-}
  if [ -z "$password" ]; then
    if [ "$2" = 1 ]; then
      echo "mariadb-init.sh: $var is not set: every service's database password is required (README, Docker compose)" >&2
      return 1
    fi
    password=$1
  fi
  if ! [[ $password =~ ^[A-Za-z0-9_-]+$ ]]; then
    echo "mariadb-init.sh: $var may hold only letters, digits, _ and -" >&2
    return 1
  fi
  printf '%s' "$password"
}

# The SQL, printed only once every password is known to be valid: nothing runs half.
shop_db_init_sql() { # required(0|1)
  local users=(catalog checkout mailer search_indexer bridge admin accounts) user host sql=
  local -A password=()
  for user in "${users[@]}"; do
    password[$user]=$(shop_db_password "$user" "$1") || return 1
  done
  for user in "${users[@]}"; do
    sql+="CREATE DATABASE IF NOT EXISTS $user CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"$'\n'
  done
  for user in "${users[@]}"; do
    for host in % localhost; do
      sql+="CREATE USER IF NOT EXISTS '$user'@'$host' IDENTIFIED BY '${password[$user]}';"$'\n'
    done
  done
  for user in "${users[@]}"; do
    for host in % localhost; do
      sql+="GRANT ALL PRIVILEGES ON $user.* TO '$user'@'$host';"$'\n'
    done
  done
  printf '%s' "$sql"
}

if declare -F docker_process_sql >/dev/null; then
  # Sourced by the image's entrypoint, in its shell: exiting stops the container. The image has written the
  # system tables by then and takes the volume for initialised at the next start, so it must be removed first.
  if ! shop_db_init_sql 1 >/dev/null; then
    echo "mariadb-init.sh: no schema or user created; remove the new MariaDB data volume before starting again" >&2
    exit 1
  fi
  shop_db_init_sql 1 | docker_process_sql || exit 1
  unset -f shop_db_password shop_db_init_sql
else
  # `--production`: every password required, as in the image (a managed database such as RDS).
  shop_db_init_sql "$([ "${1:-}" = --production ] && echo 1 || echo 0)"
fi
