#!/usr/bin/env bash
# The cost of Needle.Observability on the request path: the JavaScript hello on three Needle hosts, measured
# alternately in one run: "off" (no AddObservability), "on" (AddObservability() with its defaults: OpenTelemetry
# metrics with the Prometheus exporter, a tracer provider recording Needle's spans, health windows) and "on + ASP.NET
# spans" (AddObservability(o => o.AspNetCoreInstrumentation = true): also ASP.NET Core and HttpClient spans). Besides wrk's req/s it records the host's CPU time
# per request (from /proc), which other load on a shared machine disturbs less. Prints the machine and a markdown
# table; everything listens on 127.0.0.1 and everything started here is stopped on exit.
#
#   benchmarks/load/observability.sh
#
# Overridable: DURATION (10s), CONNECTIONS (64), THREADS (2), WARMUP (3s), ROUNDS (2), OFF_PORT (5312), ON_PORT (5313),
# FULL_PORT (5314), SCRAPE (1: scrape /metrics of the measured host every second while it runs, as Prometheus would).
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-2}
OFF_PORT=${OFF_PORT:-5312}
ON_PORT=${ON_PORT:-5313}
FULL_PORT=${FULL_PORT:-5314}
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
for port in "$OFF_PORT" "$ON_PORT" "$FULL_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is in use; set OFF_PORT / ON_PORT / FULL_PORT."
  fi
done
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

say "== build (Release)"
dotnet build "$repo/benchmarks/Needle.Benchmarks.Host/Needle.Benchmarks.Host.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
host_dll="$repo/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll"

say "== start Needle hosts: observability off :$OFF_PORT, on :$ON_PORT, on + ASP.NET spans :$FULL_PORT"
declare -A host_pid
start_host() {
  local label=$1 port=$2
  shift 2
  # hello never calls the backend; the mock URL is only required by the host's arguments.
  (cd "$work" && exec dotnet "$host_dll" --port "$port" --mock "http://127.0.0.1:1" --functions "$functions" \
    --db "$work/$label.db" "$@") >"$work/$label.log" 2>&1 &
  pids+=($!)
  host_pid[$label]=$!
}
start_host off "$OFF_PORT" --observability false
start_host on "$ON_PORT" --observability true
start_host full "$FULL_PORT" --observability true --instrumentation true

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
wait_for "http://127.0.0.1:$FULL_PORT/fn/hello?name=Ada"
curl -sf -o /dev/null "http://127.0.0.1:$ON_PORT/metrics" || die "the host with observability has no /metrics."
curl -sf -o /dev/null "http://127.0.0.1:$OFF_PORT/metrics" && die "the host without observability answers /metrics."

# wrk's latencies come as 812.00us, 1.23ms, 1.02s; in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

scraper=""
start_scraper() {
  local port=$1
  [ "$SCRAPE" = 1 ] || return 0
  (while true; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; sleep 1; done) &
  scraper=$!
}
stop_scraper() {
  [ -n "$scraper" ] && { kill "$scraper" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true; scraper=""; }
  return 0
}

# CPU time (user + system, in clock ticks) the process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# measure <label> <port>: warm up, then the measured run; appends "label rps p99 errors cpu-us-per-request" to $work/results.
measure() {
  local label=$1 port=$2 url out rps p99 non2xx socket requests before after cpu_us
  url="http://127.0.0.1:$port/fn/hello?name=Ada"
  [ "$label" != off ] && start_scraper "$port"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  before=$(cpu_ticks "${host_pid[$label]}")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  after=$(cpu_ticks "${host_pid[$label]}")
  stop_scraper
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  cpu_us=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  socket=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  echo "$label $rps $p99 $(( ${non2xx:-0} + ${socket:-0} )) $cpu_us" >>"$work/results"
  say "$(printf 'observability %-8s %8s req/s   p99 %6s ms   host CPU %6s us/request' "$label" "$rps" "$p99" "$cpu_us")"
}

say "== load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency /fn/hello (after a $WARMUP warm-up), $ROUNDS rounds, off / on / on + ASP.NET spans alternately"
for round in $(seq 1 "$ROUNDS"); do
  measure off "$OFF_PORT"
  sleep 1
  measure on "$ON_PORT"
  sleep 1
  measure full "$FULL_PORT"
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
echo "- load average before the run: $load_at_start (1, 5, 15 min); wrk and the three hosts share these CPUs"
echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "### hello: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, after a $WARMUP warm-up, $ROUNDS rounds alternating (SCRAPE=$SCRAPE)"
echo
echo "| round | off req/s | off p99 ms | off CPU µs/req | on req/s | on p99 ms | on CPU µs/req | on + ASP.NET spans req/s | on + ASP.NET spans p99 ms | on + ASP.NET spans CPU µs/req |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk '
  { e += $4 }
  $1 == "off"     { n++; r["off", n] = $2; p["off", n] = $3; c["off", n] = $5; sr["off"] += $2; sc["off"] += $5 }
  $1 == "on"      { r["on", n] = $2; p["on", n] = $3; c["on", n] = $5; sr["on"] += $2; sc["on"] += $5 }
  $1 == "full"    { r["nt", n] = $2; p["nt", n] = $3; c["nt", n] = $5; sr["nt"] += $2; sc["nt"] += $5 }
  END {
    for (i = 1; i <= n; i++)
      printf "| %d | %d | %.2f | %.2f | %d | %.2f | %.2f | %d | %.2f | %.2f |\n", i, r["off", i], p["off", i], c["off", i], r["on", i], p["on", i], c["on", i], r["nt", i], p["nt", i], c["nt", i]
    printf "| mean | %d | | %.2f | %d | | %.2f | %d | | %.2f |\n\n", sr["off"] / n, sc["off"] / n, sr["on"] / n, sc["on"] / n, sr["nt"] / n, sc["nt"] / n
    loss = 100 * (1 - sr["on"] / sr["off"]); cpu = 100 * (sc["on"] / sc["off"] - 1)
    lossnt = 100 * (1 - sr["nt"] / sr["off"]); cpunt = 100 * (sc["nt"] / sc["off"] - 1)
    printf "Observability on: %.1f %% fewer req/s, %.1f %% more host CPU per request (target < 10 %% throughput loss: %s).\n", loss, cpu, (loss < 10 ? "met" : "missed")
    printf "On + ASP.NET Core and HttpClient spans: %.1f %% fewer req/s, %.1f %% more host CPU per request. Errors over all runs: %d.\n", lossnt, cpunt, e
  }' "$work/results"
echo
echo "Requests the health windows counted for hello@1 over 5 min on the host with observability: ${windows_5m:-?}."
