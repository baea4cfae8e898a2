#!/usr/bin/env bash
# Drives the real `rtcc` binary: CLI errors, all-or-nothing import, audit tampering caught by `rtcc audit verify`,
# the demo's first command (health, printed login, ≥100 cameras) and HTTPS cookies.
set -euo pipefail
rtcc=$(readlink -f "$1")
work=$(mktemp -d "${TMPDIR:-/tmp}/rtcc-e2e.XXXXXX")
pids=()
cleanup() { for pid in "${pids[@]+"${pids[@]}"}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }
expect_fail() { # expect_fail "label" "text that must appear" cmd...
  local label=$1 text=$2; shift 2
  if out=$("$@" 2>&1); then fail "$label: succeeded but should fail"; fi
  grep -qF -- "$text" <<<"$out" || fail "$label: output lacks '$text': $out"
  pass "$label"
}
data="$work/data"
"$rtcc" migrate --data "$data" >/dev/null
pass "migrate creates the SQLite database"
RTCC_PASSWORD="an analyst password" "$rtcc" user add alice --role analyst --data "$data" >/dev/null
expect_fail "duplicate user name is refused" "already in use" env RTCC_PASSWORD="an analyst password" "$rtcc" user add alice --role analyst --data "$data"
expect_fail "unknown role is refused" "role" "$rtcc" user add bob --role janitor --data "$data"
expect_fail "short password is refused" "12-256" env RTCC_PASSWORD=short "$rtcc" user add carol --role officer --data "$data"
expect_fail "bad port is refused" "--port" "$rtcc" serve --port 70000 --data "$data"
expect_fail "bad environment value is named" "RTCC_BCRYPT_COST" env RTCC_BCRYPT_COST=lots "$rtcc" migrate --data "$data"
expect_fail "unsupported database URL is refused" "unsupported database" "$rtcc" migrate --database mysql://x/y

printf '{"port": 8181, "colour": "blue"}' >"$work/bad-config.json"
expect_fail "unknown config file setting is named" "unknown setting 'colour'" "$rtcc" migrate --config "$work/bad-config.json" --data "$data"
printf '{"sessionIdleSeconds": 5}' >"$work/bad-config2.json"
expect_fail "out-of-range config value is named" "sessionIdleSeconds" "$rtcc" migrate --config "$work/bad-config2.json" --data "$data"
printf '{"dataDirectory": "%s"}' "$data" >"$work/config.json"
"$rtcc" user list --config "$work/config.json" | grep -q "^alice	analyst	active" || fail "config file data directory"
pass "config file is read (user list shows alice)"
RTCC_PASSWORD="a brand new password" "$rtcc" user passwd alice --data "$data" | grep -q "Password changed" || fail "passwd"
expect_fail "passwd for an unknown user is refused" "no user is named" env RTCC_PASSWORD="a brand new password" "$rtcc" user passwd nobody --data "$data"
pass "user passwd"

printf 'name,kind,latitude,longitude,heading_deg\nOne,city,32.51,-93.75,10\nTwo,city,32.51,-93.75,400\nThree,city,32.51,-93.75,20\n' >"$work/bad.csv"
expect_fail "CSV with one bad row reports its line" "line 3: headingDeg" "$rtcc" cameras import "$work/bad.csv" --data "$data"
[ "$("$rtcc" cameras export --data "$data" | wc -l)" -eq 1 ] || fail "bad import stored rows"
pass "bad import stored nothing"
printf 'name,kind,latitude,longitude,main_stream_url\nOne,city,32.51,-93.75,rtsp://u:secretpw@10.0.0.1/a\nTwo,city,32.52,-93.75,\n' >"$work/good.csv"
"$rtcc" cameras import "$work/good.csv" --data "$data" | grep -q "Imported 2 cameras" || fail "good import"
"$rtcc" cameras export --data "$data" --format geojson --out "$work/out.geojson"
grep -q '"One"' "$work/out.geojson" && ! grep -q secretpw "$work/out.geojson" || fail "export"
pass "import then export (credentials never exported)"
expect_fail "bench refuses a database that holds data" "holds 1 user and 2 cameras" \
  "$rtcc" bench events --rate 10 --seconds 2 --warmup 0 --analysts 1 --work "$work/bench" --database "$data/rtcc.sqlite"
[ "$("$rtcc" cameras export --data "$data" | wc -l)" -eq 3 ] || fail "the refused bench changed the cameras"
pass "the refused bench left the database as it was"

"$rtcc" audit verify --data "$data" | grep -q "intact" || fail "fresh audit log should verify"
pass "audit log verifies"
db="$data/rtcc.sqlite"
# The database itself refuses to change or delete audit entries…
if sqlite3 "$db" "DELETE FROM audit_log WHERE sequence=2" 2>"$work/refused.txt"; then fail "the database let an audit entry be deleted"; fi
grep -q "append-only" "$work/refused.txt" || fail "the refusal does not say why: $(cat "$work/refused.txt")"
pass "the database refuses to delete audit entries"
# …so an attacker with the database file drops its guard first; the chain and the signed checkpoints still catch them.
unguard="DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
tamper() { # tamper label SQL expected-text
  cp "$db" "$work/pristine.sqlite"
  sqlite3 "$db" "$unguard $2"
  expect_fail "$1 is caught" "$3" "$rtcc" audit verify --data "$data"
  cp "$work/pristine.sqlite" "$db"; rm -f "$db-wal" "$db-shm"
}
[ -s "$data/audit-checkpoints.jsonl" ] || fail "the commands above left no signed audit checkpoint"
last=$(sqlite3 "$db" 'SELECT max(sequence) FROM audit_log')
tamper "changed audit row" "UPDATE audit_log SET actor='mallory' WHERE sequence=2" "entry 2"
tamper "deleted audit row" "DELETE FROM audit_log WHERE sequence=2" "entry 2"
tamper "deleted end of the log" "DELETE FROM audit_log WHERE sequence > 2" "ends at entry 2"
tamper "emptied audit log" "DELETE FROM audit_log" "every entry was deleted"
tamper "inserted audit row" "INSERT INTO audit_log SELECT sequence+100, at, 'mallory', action, target, source, purpose, detail, hash, 'f00d' FROM audit_log WHERE sequence=(SELECT max(sequence) FROM audit_log)" \
  "entry $(( last + 1 ))"

wait_for_url() { # wait_for_url logfile → prints URL
  for _ in $(seq 1 600); do
    url=$(grep -oE 'https?://[0-9.]+:[0-9]+/' "$1" | head -1 || true)
    [ -n "$url" ] && { echo "$url"; return 0; }
    sleep 0.2
  done
  cat "$1" >&2; fail "server did not announce its URL"
}
"$rtcc" demo --data "$work/demo" --port 0 >"$work/demo.log" 2>"$work/demo.err" &
pids+=($!)
url=$(wait_for_url "$work/demo.log")
user=$(sed -nE 's/^Sign in as: ([^ ]+) \/ (.+)$/\1/p' "$work/demo.log")
password=$(sed -nE 's/^Sign in as: ([^ ]+) \/ (.+)$/\2/p' "$work/demo.log")
[ "$(curl -s -o /dev/null -w '%{http_code}' "${url}api/v1/health")" = 200 ] || fail "demo health"
pass "demo serves GET /api/v1/health → 200"
curl -s -c "$work/jar" -H 'content-type: application/json' -d "{\"username\":\"$user\",\"password\":\"$password\"}" "${url}api/v1/auth/login" | grep -q '"role":"admin"' || fail "printed login"
pass "printed demo login signs in"
total=$(curl -s -b "$work/jar" "${url}api/v1/cameras?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
[ "$total" -ge 100 ] || fail "demo lists $total cameras"
pass "demo lists $total cameras (≥ 100)"
grep -q '^openapi: 3' <<<"$(curl -s "${url}api/v1/openapi.yaml")" || fail "openapi served"
grep -q 'rtcc_logins_total' <<<"$(curl -s "${url}metrics")" || fail "metrics"
pass "OpenAPI document and Prometheus metrics are served"

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
RTCC_PASSWORD="an analyst password" "$rtcc" user add tls-user --role officer --data "$work/tls" >/dev/null
"$rtcc" serve --data "$work/tls" --port 0 --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/tls.log" 2>"$work/tls.err" &
pids+=($!)
url=$(wait_for_url "$work/tls.log")
[[ "$url" == https://* ]] || fail "TLS server announces https"
cookie=$(curl -sk -D - -o /dev/null -H 'content-type: application/json' -d '{"username":"tls-user","password":"an analyst password"}' "${url}api/v1/auth/login" | grep -i '^set-cookie')
grep -q "Secure" <<<"$cookie" && grep -q "HttpOnly" <<<"$cookie" && grep -q "SameSite=Strict" <<<"$cookie" || fail "TLS cookie flags: $cookie"
pass "over HTTPS the session cookie is Secure, HttpOnly, SameSite=Strict"
echo "e2e: all passed"
