#!/usr/bin/env bash
# The cost of Needle.Observability on the request path: the JavaScript hello on two Needle hosts, one without and
# one with AddObservability() (OpenTelemetry metrics with the Prometheus exporter, tracing with ASP.NET Core and
# HttpClient instrumentation, health windows), measured alternately in one run. Prints the machine and a markdown
# table; everything listens on 127.0.0.1 and everything started here is stopped on exit.
#
#   benchmarks/load/observability.sh
#
# Overridable: DURATION (10s), CONNECTIONS (64), THREADS (2), WARMUP (3s), ROUNDS (2), OFF_PORT (5312), ON_PORT (5313),
# SCRAPE (1: scrape /metrics of the host with observability every second during its runs, as Prometheus would).
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-2}
OFF_PORT=${OFF_PORT:-5312}
ON_PORT=${ON_PORT:-5313}
SCRAPE=${SCRAPE:-1}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
functions="$repo/samples/Needle.Sample/functions"
work=$(mktemp -d "${TMPDIR:-/tmp}/needle-obs-bench.XXXXXX")
pids=()
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
die() { say "observability.sh: $*"; exit 1; }

for tool in dotnet wrk curl awk; do
  command -v "$tool" >/dev/null || die "$tool is not installed."
done
for port in "$OFF_PORT" "$ON_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is in use; set OFF_PORT / ON_PORT."
  fi
done
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

say "== build (Release)"
dotnet build "$repo/benchmarks/Needle.Benchmarks.Host/Needle.Benchmarks.Host.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
host_dll="$repo/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll"

say "== start Needle hosts: observability off :$OFF_PORT, on :$ON_PORT"
# hello never calls the backend; the mock URL is only required by the host's arguments.
(cd "$work" && exec dotnet "$host_dll" --port "$OFF_PORT" --mock "http://127.0.0.1:1" --functions "$functions" \
  --db "$work/off.db" --observability false) >"$work/off.log" 2>&1 &
pids+=($!)
(cd "$work" && exec dotnet "$host_dll" --port "$ON_PORT" --mock "http://127.0.0.1:1" --functions "$functions" \
  --db "$work/on.db" --observability true) >"$work/on.log" 2>&1 &
pids+=($!)

wait_for() {
  local url=$1 tries=0
  until curl -sf -o /dev/null "$url"; do
    tries=$((tries + 1))
    [ "$tries" -gt 120 ] && { tail -n 30 "$work"/*.log >&2; die "$url did not answer within 60 s."; }
    sleep 0.5
  done
}
wait_for "http://127.0.0.1:$OFF_PORT/fn/hello?name=Ada"
wait_for "http://127.0.0.1:$ON_PORT/fn/hello?name=Ada"
curl -sf -o /dev/null "http://127.0.0.1:$ON_PORT/metrics" || die "the host with observability has no /metrics."
curl -sf -o /dev/null "http://127.0.0.1:$OFF_PORT/metrics" 2>/dev/null && die "the host without observability answers /metrics."

# wrk's latencies come as 812.00us, 1.23ms, 1.02s; in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

scraper=""
start_scraper() {
  [ "$SCRAPE" = 1 ] || return 0
  (while true; do curl -s -o /dev/null "http://127.0.0.1:$ON_PORT/metrics"; sleep 1; done) &
  scraper=$!
}
stop_scraper() {
  [ -n "$scraper" ] && { kill "$scraper" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true; scraper=""; }
  return 0
}

# measure <label> <port>: warm up, then the measured run; appends "label rps p99 errors" to $work/results.
measure() {
  local label=$1 port=$2 url out rps p99 non2xx socket
  url="http://127.0.0.1:$port/fn/hello?name=Ada"
  [ "$label" = on ] && start_scraper
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  stop_scraper
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  socket=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  echo "$label $rps $p99 $(( ${non2xx:-0} + ${socket:-0} ))" >>"$work/results"
  say "$(printf 'observability %-3s %8s req/s   p99 %6s ms' "$label" "$rps" "$p99")"
}

say "== load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency /fn/hello (after a $WARMUP warm-up), $ROUNDS rounds, off and on alternately"
for round in $(seq 1 "$ROUNDS"); do
  measure off "$OFF_PORT"
  sleep 1
  measure on "$ON_PORT"
  sleep 1
done

# The health windows saw the load: the figure the console and the guard read.
health=$(curl -sf "http://127.0.0.1:$ON_PORT/needle/api/health/hello/1" || echo '{}')
windows_5m=$(sed -n 's/.*"window":"5m","seconds":300,"requests":\([0-9]*\).*/\1/p' <<<"$health")

mem_gb=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
wrk_version=$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }' || true)

echo "### Machine"
echo
echo "- $(nproc) CPUs: ${cpu:-unknown}; ${mem_gb} GB memory; $(uname -sr)"
echo "- .NET SDK $(dotnet --version); wrk ${wrk_version:-?}"
echo "- load average before the run: $load_at_start (1, 5, 15 min); wrk and both hosts share these CPUs"
echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "### hello: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, after a $WARMUP warm-up, $ROUNDS rounds alternating"
echo
echo "| round | off req/s | off p99 ms | on req/s | on p99 ms | on/off |"
echo "|---:|---:|---:|---:|---:|---:|"
awk '
  $1 == "off" { n++; off[n] = $2; offp[n] = $3; e += $4 }
  $1 == "on"  { m++; on[m] = $2; onp[m] = $3; e += $4 }
  END {
    for (i = 1; i <= n; i++) { printf "| %d | %d | %.2f | %d | %.2f | %.3f |\n", i, off[i], offp[i], on[i], onp[i], on[i] / off[i]; so += off[i]; sn += on[i] }
    loss = 100 * (1 - sn / so)
    printf "| mean | %d | | %d | | %.3f |\n\n", so / n, sn / n, sn / so
    printf "Throughput loss with observability on: %.1f %% (target < 10 %%: %s). Errors over all runs: %d.\n", loss, (loss < 10 ? "met" : "missed"), e
  }' "$work/results"
echo
echo "Requests the health windows counted for hello@1 over 5 min on the host with observability: ${windows_5m:-?}."
