#!/usr/bin/env bash
# Load benchmark of Needle: for hello / transformer / aggregator, the native minimal-API endpoint, the Needle JS
# function (Jint, in the same host) and the Node peer (vm context, like the original Needle's container), under wrk;
# then the deploy-to-serving latency. Prints the machine and a markdown table; everything listens on 127.0.0.1 and
# everything started here is stopped on exit.
#
#   benchmarks/load/run.sh
#
# Overridable: DURATION (10s), CONNECTIONS (64), THREADS (2), WARMUP (3s), DEPLOYS (100), MOCK_PORT (5301),
# HOST_PORT (5302), NODE_PORT (5303), RESULTS (a file that receives a copy of the report), LOGS (a directory that
# receives the servers' logs, kept even when the run succeeds).
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
DEPLOYS=${DEPLOYS:-100}
MOCK_PORT=${MOCK_PORT:-5301}
HOST_PORT=${HOST_PORT:-5302}
NODE_PORT=${NODE_PORT:-5303}

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
functions="$repo/samples/Needle.Sample/functions"
work=$(mktemp -d "${TMPDIR:-/tmp}/needle-bench.XXXXXX")
pids=()
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

cleanup() {
  local status=$? pid log
  if [ -n "${LOGS:-}" ] && [ -d "$work" ]; then
    mkdir -p "$LOGS" && cp "$work"/*.log "$work"/wrk-*.txt "$LOGS"/ 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -d "$work" ]; then
    for log in "$work"/*.log; do
      [ -s "$log" ] && { printf -- '--- %s\n' "$(basename "$log")"; tail -n 40 "$log"; } >&2
    done
  fi
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
die() { say "run.sh: $*"; exit 1; }

for tool in dotnet node wrk curl awk; do
  command -v "$tool" >/dev/null || die "$tool is not installed."
done
for port in "$MOCK_PORT" "$HOST_PORT" "$NODE_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port on 127.0.0.1 is in use; set MOCK_PORT / HOST_PORT / NODE_PORT."
  fi
done

# Other work on the machine skews every figure; it is recorded with the results.
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

say "== build (Release)"
dotnet build "$repo/benchmarks/Needle.Benchmarks.Host/Needle.Benchmarks.Host.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
dotnet build "$repo/benchmarks/Needle.Benchmarks.DeployLatency/Needle.Benchmarks.DeployLatency.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
host_dll="$repo/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll"
deploy_dll="$repo/benchmarks/Needle.Benchmarks.DeployLatency/bin/Release/net10.0/Needle.Benchmarks.DeployLatency.dll"

say "== start mock backend :$MOCK_PORT, Needle host :$HOST_PORT, Node peer :$NODE_PORT"
node "$here/mock-backend.js" "$MOCK_PORT" >"$work/mock.log" 2>&1 &
pids+=($!)
names=(mock)
(cd "$work" && exec dotnet "$host_dll" --port "$HOST_PORT" --mock "http://127.0.0.1:$MOCK_PORT" \
  --functions "$functions" --db "$work/needle.db") >"$work/host.log" 2>&1 &
pids+=($!)
names+=("Needle host")
node "$here/node-peer.js" "$NODE_PORT" "$functions" "http://127.0.0.1:$MOCK_PORT" >"$work/node.log" 2>&1 &
pids+=($!)
names+=("Node peer")

# A server that died mid-run would turn the rest into connection errors; stop with its log instead.
# (kill -0 would not do: an exited child stays a zombie until waited for.)
check_alive() {
  local i state
  for i in "${!pids[@]}"; do
    state=$(ps -o stat= -p "${pids[$i]}" 2>/dev/null || true)
    if [ -z "$state" ] || [ "${state:0:1}" = Z ]; then
      die "the ${names[$i]} (pid ${pids[$i]}) has exited."
    fi
  done
}

mock="http://127.0.0.1:$MOCK_PORT"
needle="http://127.0.0.1:$HOST_PORT"
peer="http://127.0.0.1:$NODE_PORT"

wait_for() {
  local url=$1 tries=0
  until curl -sf -o /dev/null "$url"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 120 ]; then
      say "$url did not answer 200 within 60 s. Logs:"
      tail -n 30 "$work"/*.log >&2
      exit 1
    fi
    sleep 0.5
  done
}
wait_for "$mock/backend/users/1"
wait_for "$needle/native/hello"
wait_for "$peer/fn/hello"
for path in "/fn/hello" "/fn/products" "/fn/profile/1"; do
  wait_for "$needle$path"   # the watcher deploys the sample functions at start
done

# scenario | query path of the native endpoint | path of the function (Needle and Node)
scenarios=(
  "hello|/native/hello?name=Ada|/fn/hello?name=Ada"
  "transformer|/native/products?category=tools|/fn/products?category=tools"
  "aggregator|/native/profile/9|/fn/profile/9"
)

say "== same answers"
for line in "${scenarios[@]}"; do
  IFS='|' read -r name native_path fn_path <<<"$line"
  printf '%-12s ' "$name" >&2
  node "$here/compare.js" "$needle$native_path" "$needle$fn_path" "$peer$fn_path" >&2
done

# wrk's latencies come as 812.00us, 1.23ms, 1.02s or 1.50m; in ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

# measure <label> <url>: warm up, then the measured run; sets RPS, P99 and ERRORS.
measure() {
  local label=$1 url=$2 out
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  check_alive
  printf '%s\n' "$out" >"$work/wrk-$label.txt"
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  local non2xx timeouts socket
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$out")
  socket=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<<"$out")
  ERRORS=$(( ${non2xx:-0} + ${socket:-0} ))
  say "$(printf '%-26s %8s req/s   p99 %8s ms   errors %s' "$label" "$RPS" "$P99" "$ERRORS")"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "met" : "missed" }'; }

say "== load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up per target)"
declare -A rps p99 errors
for line in "${scenarios[@]}"; do
  IFS='|' read -r name native_path fn_path <<<"$line"
  for target in native needle node; do
    case $target in
      native) url="$needle$native_path" ;;
      needle) url="$needle$fn_path" ;;
      node) url="$peer$fn_path" ;;
    esac
    measure "$name-$target" "$url"
    rps[$name-$target]=$RPS
    p99[$name-$target]=$P99
    errors[$name-$target]=$ERRORS
    sleep 1
  done
done

check_alive
say "== deploy latency: $DEPLOYS deploys"
deploy_out=$(dotnet "$deploy_dll" --url "$needle" --count "$DEPLOYS")
say "$deploy_out"
result=$(grep '^RESULT ' <<<"$deploy_out")
say "== rollback latency: $DEPLOYS rollbacks"
rollback_out=$(dotnet "$deploy_dll" --url "$needle" --count "$DEPLOYS" --function rollback-probe --rollback)
say "$rollback_out"
result="$result $(grep '^RESULT ' <<<"$rollback_out" | sed 's/^RESULT//')"
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$result"; }

mem_gb=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
wrk_version=$(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }' || true)

report() {
  echo "### Machine"
  echo
  echo "- $(nproc) CPUs: ${cpu:-unknown}; ${mem_gb} GB memory; $(uname -sr)"
  echo "- .NET SDK $(dotnet --version); Node $(node --version); wrk ${wrk_version:-?}"
  echo "- load average before the run: $load_at_start (1, 5, 15 min); load generator, servers and mock share these CPUs"
  echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "### Load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, after a $WARMUP warm-up per target"
  echo
  echo "| scenario | native req/s | native p99 ms | Needle JS req/s | Needle JS p99 ms | Node peer req/s | Node peer p99 ms | Needle/native | Needle/Node | target | result |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
  local name vs_native vs_node target status
  for name in hello transformer aggregator; do
    vs_native=$(ratio "${rps[$name-needle]}" "${rps[$name-native]}")
    vs_node=$(ratio "${rps[$name-needle]}" "${rps[$name-node]}")
    case $name in
      hello) target="≥ 0.9x native"; status=$(verdict "$vs_native" 0.9) ;;
      transformer) target="≥ 0.5x Node"; status=$(verdict "$vs_node" 0.5) ;;
      aggregator) target="≥ 2x Node"; status=$(verdict "$vs_node" 2) ;;
    esac
    echo "| $name | ${rps[$name-native]} | ${p99[$name-native]} | ${rps[$name-needle]} | ${p99[$name-needle]} | ${rps[$name-node]} | ${p99[$name-node]} | ${vs_native}x | ${vs_node}x | $target | $status |"
  done
  local total_errors=0 key
  for key in "${!errors[@]}"; do total_errors=$((total_errors + errors[$key])); done
  echo
  echo "Errors (non-2xx + socket errors) over all runs: $total_errors."
  echo
  echo "### Deploy to serving: $DEPLOYS deploys (after 5 warm-up deploys)"
  echo
  local serving_median
  serving_median=$(field serving_median_ms)
  echo "| deploy call median ms | deploy call p90 ms | deploy-to-serving median ms | p90 ms | max ms | first poll served new version | target | result |"
  echo "|---:|---:|---:|---:|---:|---:|---|---|"
  echo "| $(field deploy_median_ms) | $(field deploy_p90_ms) | $serving_median | $(field serving_p90_ms) | $(field serving_max_ms) | $(field first_poll) | median < 50 ms | $(awk -v m="$serving_median" 'BEGIN { print (m < 50) ? "met" : "missed" }') |"
  echo
  echo "### Rollback on one node: $DEPLOYS rollbacks (previous version warm; after 5 warm-up rounds)"
  echo
  local rollback_median
  rollback_median=$(field rollback_serving_median_ms)
  echo "| rollback call median ms | call start to old version serving: median ms | p90 ms | max ms | target | result |"
  echo "|---:|---:|---:|---:|---|---|"
  echo "| $(field rollback_call_median_ms) | $rollback_median | $(field rollback_serving_p90_ms) | $(field rollback_serving_max_ms) | median < 10 ms | $(awk -v m="$rollback_median" 'BEGIN { print (m < 10) ? "met" : "missed" }') |"
}

echo
report | tee ${RESULTS:+"$RESULTS"}
