#!/usr/bin/env bash
# Incident drill: the sample host (with AddRollback) under steady load; a canary at 10 % that fails half its
# requests; the guard's rollback; then an emergency patch. Prints the machine and a markdown table of figures.
#
#   benchmarks/drill/incident.sh
#
# Overridable: PORT (5080), CONCURRENCY (16), AFTER (seconds of load after the canary, 10), RESULTS (a file that
# receives a copy of the report). Everything listens on 127.0.0.1; the host started here is stopped on exit.
#
# MODE=false-rollbacks (or benchmarks/drill/false-rollbacks.sh) runs the false-rollback drill instead: RELEASES (20)
# healthy canary releases, each watched WATCH seconds (15), then RELEASES bad ones (errors +10 points, +200 ms,
# every request failing, in turn); it reports false rollbacks, missed bad canaries and first failure -> rollback times.
set -euo pipefail

PORT=${PORT:-5080}
CONCURRENCY=${CONCURRENCY:-16}
AFTER=${AFTER:-10}
MODE=${MODE:-incident}
RELEASES=${RELEASES:-20}
WATCH=${WATCH:-15}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/needle-drill.XXXXXX")
host_pid=""
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cleanup() {
  local status=$?
  if [[ -n "$host_pid" ]] && kill -0 "$host_pid" 2>/dev/null; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$work/host.log" ]]; then
    echo "--- host log ---" >&2
    tail -n 40 "$work/host.log" >&2
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

dotnet build -c Release "$repo/samples/Needle.Sample" -v q -nologo >/dev/null
dotnet build -c Release "$repo/benchmarks/Needle.Benchmarks.Drill" -v q -nologo >/dev/null

# The sample in Release, its store and job database in a scratch folder.
(
  cd "$repo/samples/Needle.Sample"
  ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  ASPNETCORE_ENVIRONMENT=Production \
  ConnectionStrings__Needle="Data Source=$work/needle.db" \
  Logging__LogLevel__Default=Warning \
  exec dotnet "bin/Release/net10.0/Needle.Sample.dll"
) >"$work/host.log" 2>&1 &
host_pid=$!

for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$PORT/needle/api/functions" >/dev/null 2>&1 && break
  sleep 0.2
done

report=$(
  echo "Machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM; $(uname -sr); .NET $(dotnet --version)"
  drill="$repo/benchmarks/Needle.Benchmarks.Drill/bin/Release/net10.0/Needle.Benchmarks.Drill.dll"
  if [[ "$MODE" == "false-rollbacks" ]]; then
    echo "Command: benchmarks/drill/false-rollbacks.sh (CONCURRENCY=$CONCURRENCY RELEASES=$RELEASES WATCH=$WATCH)"
    echo
    dotnet "$drill" "http://127.0.0.1:$PORT" "$CONCURRENCY" "$RELEASES" false-rollbacks "$WATCH"
  else
    echo "Command: benchmarks/drill/incident.sh (CONCURRENCY=$CONCURRENCY AFTER=$AFTER)"
    echo
    dotnet "$drill" "http://127.0.0.1:$PORT" "$CONCURRENCY" "$AFTER"
  fi
)
echo "$report"
if [[ -n "${RESULTS:-}" ]]; then
  echo "$report" >"$RESULTS"
fi
