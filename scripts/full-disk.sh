#!/usr/bin/env bash
# The full-disk drill, for real (not run in CI): the embedded server's data directory on a size-capped tmpfs, written
# until the disk is full, then grown, then restarted. Checks what README "Operations" promises:
#   - a write that cannot be stored answers 507 problem+json (storage-full), never 500;
#   - /readyz answers 503 naming storage-full while full, /healthz stays 200, reads keep working;
#   - once the volume is grown, writes succeed again without a restart and /readyz is 200 again;
#   - after a restart every acknowledged turn is there, and nothing of a refused batch.
# Needs root (mount), curl, jq and the .NET SDK. Usage: sudo scripts/full-disk.sh [size, default 40m] [grown, default 200m]
set -euo pipefail

SIZE=${1:-40m}
GROWN=${2:-200m}
BATCH=${BATCH:-100}          # turns per request
AGENTS=3
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ADMIN=full-disk-admin-key

for tool in curl jq dotnet mount umount; do
  command -v "$tool" >/dev/null || { echo "full-disk.sh: needs $tool" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "full-disk.sh: needs root (it mounts a tmpfs)" >&2; exit 2; }

echo "building the server (Release)..."
dotnet build "$ROOT/src/MemoryFabric.Server" -c Release -v quiet -nologo >/dev/null
SERVER="$ROOT/src/MemoryFabric.Server/bin/Release/net10.0/MemoryFabric.Server.dll"

MNT=$(mktemp -d /tmp/mf-full-disk.XXXXXX)
DATA="$MNT/data"
PORT=$(( 20000 + RANDOM % 20000 ))
URL="http://127.0.0.1:$PORT"
LOG="$MNT.log"
PID=
cleanup() {
  [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  umount "$MNT" 2>/dev/null || true
  rmdir "$MNT" 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o size="$SIZE" tmpfs "$MNT"
echo "data directory $DATA on a $SIZE tmpfs; server log $LOG"

start_server() {
  MemoryFabric__DataDirectory="$DATA" MemoryFabric__Embedder=hashing MemoryFabric__AdminKey="$ADMIN" \
    dotnet exec "$SERVER" --urls "$URL" >>"$LOG" 2>&1 &
  PID=$!
  for _ in $(seq 1 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")" = 200 ] && return 0
    kill -0 "$PID" 2>/dev/null || { echo "the server exited; see $LOG" >&2; exit 1; }
    sleep 0.1
  done
  echo "the server did not become ready; see $LOG" >&2; exit 1
}

stop_server() { kill -TERM "$PID"; wait "$PID" || true; PID=; }

batch_json() { # $1 = batch number
  jq -cn --argjson b "$1" --argjson n "$BATCH" '{turns: [range(0; $n) as $i | {
    id: "b\($b)-\($i)", sessionId: "s\($b)", speaker: (if $i % 2 == 0 then "Alice" else "Bob" end),
    text: "Batch \($b) line \($i): we talked about the harbour, the ferries, the weather on the coast and the long walk back to town.",
    timestamp: ("2024-01-01T00:00:00Z" | fromdateiso8601 + ($b * $n + $i) * 60 | todateiso8601)}]}'
}

ACKED=()      # batches answered 200
REFUSED=()    # batches answered 507
OTHER=0       # any other answer (a 500 would be a bug)
NEXT=0
STATUS=
write_batch() { # writes batch $NEXT; sets STATUS
  local b=$NEXT status
  NEXT=$((NEXT + 1))
  status=$(batch_json "$b" | curl -s -o "$MNT.body" -w '%{http_code}' -X POST "$URL/v1/agents/agent-$((b % AGENTS))/turns" \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary @- || echo 000)
  case $status in
    200) ACKED+=("$b") ;;
    507) REFUSED+=("$b"); cp "$MNT.body" "$MNT.507" ;;
    *) OTHER=$((OTHER + 1)); echo "batch $b: $status $(cat "$MNT.body")" >&2 ;;
  esac
  STATUS=$status
}

start_server
curl -sf -X POST "$URL/v1/admin/tenants" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"id":"drill"}' >/dev/null
KEY=$(curl -sf -X POST "$URL/v1/admin/tenants/drill/keys" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{"name":"drill"}' | jq -r .key)

echo "ingesting $BATCH-turn batches until the disk is full..."
t0=$(date +%s)
consecutive=0
while [ "$consecutive" -lt 5 ] && [ "$NEXT" -lt 20000 ]; do
  write_batch
  if [ "$STATUS" = 507 ]; then consecutive=$((consecutive + 1)); else consecutive=0; fi
done
echo "  $(( ${#ACKED[@]} * BATCH )) turns acknowledged, ${#REFUSED[@]} batches refused with 507, $OTHER other answers, $(( $(date +%s) - t0 )) s; df: $(df -h "$MNT" | awk 'NR==2 {print $3 " used of " $2}')"
echo "  507 body: $(cat "$MNT.507")"
READY=$(curl -s "$URL/readyz"); READY_CODE=$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")
echo "  /readyz while full: $READY_CODE $READY"
echo "  /healthz while full: $(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")"
echo "  a read while full (GET turns of agent-0): $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL/v1/agents/agent-0/turns")"
echo "  gauge: $(curl -s "$URL/metrics" | grep '^memoryfabric_storage_full' || echo 'memoryfabric_storage_full missing')"

echo "growing the volume to $GROWN (no restart)..."
mount -o remount,size="$GROWN" "$MNT"
before=${#ACKED[@]}
for _ in $(seq 1 20); do write_batch; done
echo "  $(( (${#ACKED[@]} - before) * BATCH )) more turns acknowledged of $(( 20 * BATCH )); /readyz: $(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")"

echo "restarting..."
stop_server
start_server
stored=0
declare -A IDS=()
for a in $(seq 0 $((AGENTS - 1))); do
  while read -r id; do IDS[$id]=1; stored=$((stored + 1)); done < <(curl -sf -H "Authorization: Bearer $KEY" "$URL/v1/agents/agent-$a/turns" | jq -r '.turns[].id')
done
lost=0
for b in "${ACKED[@]}"; do for i in $(seq 0 $((BATCH - 1))); do [ -n "${IDS[b$b-$i]:-}" ] || lost=$((lost + 1)); done; done
partial=0
for b in "${REFUSED[@]}"; do for i in $(seq 0 $((BATCH - 1))); do [ -n "${IDS[b$b-$i]:-}" ] && partial=$((partial + 1)); done; done
echo "  acknowledged turns: $(( ${#ACKED[@]} * BATCH )); stored after restart: $stored; acknowledged lost: $lost; turns of refused batches found stored: $partial; other answers (500s): $OTHER"
[ "$lost" = 0 ] && [ "$partial" = 0 ] && [ "$OTHER" = 0 ] && [ "$READY_CODE" = 503 ] && echo "PASS" || { echo "FAIL"; exit 1; }
