# shellcheck shell=bash
# `./dev test`'s checks of infra/ that need neither an AWS account nor a Docker daemon, in seconds: the
# CloudFormation templates (cfn-lint with the shop's own rules, each of which must fire on its bad template, and the
# host's UserData through bash -n and shellcheck),
# infra/compose.yaml (docker-compose's own validation, with every profile) and infra/caddy/Caddyfile (Caddy's).

CFN_DIR="$ROOT/infra/cloudformation"
CFN_LINT="$DEV/venv/bin/cfn-lint"
# Pinned, like shellcheck: a newer cfn-lint brings new rules and new findings.
CFN_LINT_VERSION=1.58.0

check_infra() {
  check_cloudformation
  check_user_data
  check_compose
  check_caddyfile
}

ensure_cfn_lint() {
  [ -x "$CFN_LINT" ] && [ "$("$CFN_LINT" --version)" = "cfn-lint $CFN_LINT_VERSION" ] && return
  say "cfn-lint: installing cfn-lint $CFN_LINT_VERSION into $DEV/venv"
  pip_install cfn-lint "$LOGS/cfn-lint-install.log" "cfn-lint==$CFN_LINT_VERSION"
}

# Zero findings on the real templates, informational ones included (any rule a template ignores is ignored in
# its own Metadata, with the reason). Then every bad template in tests/bad/ must be reported under exactly the
# rule its name starts with: a rule that stopped firing would otherwise pass everything unnoticed.
check_cloudformation() {
  ensure_cfn_lint
  local lint=("$CFN_LINT" --format parseable --include-checks I --append-rules "$CFN_DIR/rules/" --)
  say "cfn-lint infra/cloudformation/*.yaml (with the rules in infra/cloudformation/rules/)"
  "${lint[@]}" "$CFN_DIR"/*.yaml || fail "cfn-lint: the findings above are in infra/cloudformation/"

  local out bad expected found
  out=$("${lint[@]}" "$CFN_DIR"/tests/bad/*.yaml) && fail "cfn-lint found nothing in infra/cloudformation/tests/bad/"
  for bad in "$CFN_DIR"/tests/bad/*.yaml; do
    expected=$(basename "$bad")
    expected=${expected%%-*}
    found=$(awk -F: -v file="$bad" '$1 == file { print $6 }' <<<"$out" | sort -u | paste -sd ' ')
    [ "$found" = "$expected" ] ||
      fail "cfn-lint: ${bad#"$ROOT/"} must be reported under $expected only, got: ${found:-nothing}"
  done
  say "cfn-lint: each of the shop's rules fires on its bad template ($(find "$CFN_DIR/tests/bad" -name '*.yaml' | wc -l) templates)"
}

# Debian's docker-compose (1.29) validates the file against the compose schema it knows (profiles, healthcheck
# conditions, extension fields, merge keys) without a Docker daemon. The variables the file requires
# (${VAR:?...}) get dummy values in a file of .dev/, and nothing else of this shell's environment is passed, so
# neither a developer's real secrets nor their absence decide the outcome.
check_compose() {
  command -v docker-compose >/dev/null || apt_install docker-compose
  local compose="$ROOT/infra/compose.yaml" env_file="$DEV/compose-check.env" profiles=() flags=() profile
  # ($${VAR:?...} is no variable of compose's but a literal for the container's shell.)
  grep -oE '(^|[^$])\$\{[A-Za-z_][A-Za-z0-9_]*:?\?' "$compose" | sed -E 's/^[^$]?\$\{//; s/:?\?$/=dummy/' |
    sort -u >"$env_file"
  local run=(env -i PATH="$PATH" HOME="$HOME" docker-compose -f "$compose" --env-file "$env_file")
  mapfile -t profiles < <("${run[@]}" config --profiles)
  for profile in "${profiles[@]}"; do flags+=(--profile "$profile"); done
  say "docker-compose config: infra/compose.yaml, without profiles and with ${profiles[*]:-no profile}"
  "${run[@]}" config -q || fail "infra/compose.yaml is invalid (see above)"
  "${run[@]}" "${flags[@]}" config -q || fail "infra/compose.yaml is invalid with its profiles (see above)"
}

# Debian's caddy (2.6; the image runs 2.10, and the file keeps to what both accept) parses, adapts and provisions
# the Caddyfile without starting a server or asking a CA for anything: it needs no network, and the timeout makes
# sure of it. Dummy DOMAIN and ACME_EMAIL stand in for compose's; Caddy's own files go to .dev/caddy. Then the
# adapted config must still do what the file is for.
check_caddyfile() {
  command -v caddy >/dev/null || apt_install caddy
  local caddyfile="$ROOT/infra/caddy/Caddyfile" out
  local run=(env -i PATH="$PATH" HOME="$DEV/caddy" XDG_CONFIG_HOME="$DEV/caddy/config" XDG_DATA_HOME="$DEV/caddy/data"
    DOMAIN=shop.example.com ACME_EMAIL=ops@example.com timeout 30 caddy)
  say "caddy validate: infra/caddy/Caddyfile ($(caddy version | cut -d' ' -f1))"
  out=$("${run[@]}" validate --adapter caddyfile --config "$caddyfile" 2>&1) ||
    { printf '%s\n' "$out" >&2; fail "caddy: infra/caddy/Caddyfile is invalid (see above)"; }
  out=$("${run[@]}" adapt --adapter caddyfile --config "$caddyfile" 2>/dev/null) || fail "caddy adapt failed"
  python3 -c '
import json, sys
servers = json.load(sys.stdin)["apps"]["http"]["servers"].values()
def handlers(routes):
    for route in routes:
        for handler in route.get("handle", []):
            yield handler
            yield from handlers(handler.get("routes", []))
found = [h for server in servers for h in handlers(server.get("routes", []))]
hsts = [h["response"]["set"]["Strict-Transport-Security"][0] for h in found
        if "Strict-Transport-Security" in h.get("response", {}).get("set", {})]
proxy = [h for h in found if h["handler"] == "reverse_proxy"
         and [u["dial"] for u in h["upstreams"]] == ["proxy:80"]]
checks = {
    "HSTS for two years": any(v.startswith("max-age=63072000") for v in hsts),
    "a reverse proxy to nginx (proxy:80) alone": len(proxy) == 1,
    "X-Forwarded-For set to the client address": bool(proxy) and proxy[0]["headers"]["request"]["set"]
        .get("X-Forwarded-For") == ["{http.request.remote.host}"],
    "no access log (nginx logs requests, without query strings)": not any("logs" in s for s in servers),
}
missing = [name for name, ok in checks.items() if not ok]
sys.exit("caddy: infra/caddy/Caddyfile lost: " + "; ".join(missing) if missing else 0)
' <<<"$out" || fail "infra/caddy/Caddyfile no longer does what it is for (see above)"
}

# The host's first-boot script, as cloud-init runs it: the template's UserData (one `Fn::Base64: !Sub |` block)
# with every ${Name} the stack would substitute replaced by a dummy and every ${!name} unescaped, then read by
# bash (-n) and shellcheck. What lint cannot see: cfn-lint checks the block is a string, not that it is a script.
check_user_data() {
  ensure_shellcheck
  local script="$DEV/user-data.sh"
  say "bash -n and shellcheck: UserData of infra/cloudformation/shop.yaml"
  "$DEV/venv/bin/python" - "$CFN_DIR/shop.yaml" >"$script" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
start = next(n for n, line in enumerate(lines) if line.strip() == "Fn::Base64: !Sub |")
body, indent = [], None
for line in lines[start + 1:]:
    if line.strip():
        depth = len(line) - len(line.lstrip())
        indent = depth if indent is None else indent
        if depth < indent:
            break
    body.append(line[indent or 0:])
def substitute(match):
    name = match.group(1)
    return "${" + name[1:] + "}" if name.startswith("!") else "DUMMY_" + re.sub(r"\W", "_", name)
print(re.sub(r"\$\{([^}]*)\}", substitute, "\n".join(body)))
PY
  [ -s "$script" ] || fail "no UserData found in infra/cloudformation/shop.yaml"
  bash -n "$script" || fail "UserData of infra/cloudformation/shop.yaml is not valid bash (see $script)"
  "$SHELLCHECK" -s bash "$script" || fail "shellcheck: UserData of infra/cloudformation/shop.yaml (lines of $script)"
}
