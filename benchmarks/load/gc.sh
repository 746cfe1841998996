#!/usr/bin/env bash
# GC and CPU per request at full load, native against Needle JS, on one benchmark host (issue #18):
#
#   benchmarks/load/gc.sh [host dll]
#
# Per target (native hello, JS hello, native hello again warm, native aggregator, JS aggregator): wrk -t2 -c64 6 s after
# a 3 s warm-up, with dotnet-counters (dotnet tool install -g dotnet-counters) collecting System.Runtime over the run;
# prints req/s, host CPU µs per request, bytes allocated per request, gen0 and gen1 collections per 10,000 requests, the
# mean pause per collection and the share of the run spent paused. Overridable: PORT (5412), MOCK_PORT (5411).
set -uo pipefail
export PATH="$PATH:$HOME/.dotnet/tools"
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
dll=${1:-$repo/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll}
port=${PORT:-5412}; mport=${MOCK_PORT:-5411}
for tool in dotnet-counters wrk node curl python3; do
  command -v "$tool" >/dev/null || { echo "gc.sh: $tool is not installed." >&2; exit 1; }
done
[ -f "$dll" ] || dotnet build "$repo/benchmarks/Needle.Benchmarks.Host/Needle.Benchmarks.Host.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
work=$(mktemp -d)
node "$here/mock-backend.js" "$mport" >"$work/mock.log" 2>&1 & mock=$!
(cd "$work" && exec dotnet "$dll" --port "$port" --mock "http://127.0.0.1:$mport" --functions "$repo/samples/Needle.Sample/functions" --db "$work/n.db") >"$work/host.log" 2>&1 &
pid=$!
trap 'kill $pid $mock 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/fn/profile/9" && curl -sf -o /dev/null "http://127.0.0.1:$port/fn/hello?name=Ada" && break
  sleep 0.5
done
echo "| target | req/s | host CPU µs per request | B allocated per request | gen0 per 10k requests | gen1 per 10k | pause per GC ms | paused, share of the run |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for path in "/native/hello?name=Ada" "/fn/hello?name=Ada" "/native/hello?name=Ada" "/native/profile/9" "/fn/profile/9"; do
  wrk -t2 -c64 -d3s "http://127.0.0.1:$port$path" >/dev/null
  rm -f "$work/c.csv"
  # --duration, not a signal: a background job of a script may have SIGINT ignored.
  dotnet-counters collect -p $pid --counters System.Runtime --format csv -o "$work/c.csv" --refresh-interval 1 --duration 00:00:10 >/dev/null 2>&1 &
  counters=$!
  sleep 2
  out=$(wrk -t2 -c64 -d6s "http://127.0.0.1:$port$path")
  wait $counters 2>/dev/null
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  python3 - "$work/c.csv" "$path" "$rps" "$requests" <<'PY'
import collections, csv, sys
sums = collections.defaultdict(float)
for row in list(csv.reader(open(sys.argv[1])))[1:]:
    try:
        sums[row[2]] += float(row[4])
    except (IndexError, ValueError):
        pass
def total(name):
    return sum(v for k, v in sums.items() if name in k)
requests = float(sys.argv[4])
gen = lambda g: total("collections ({collection} / 1 sec)[gc.heap.generation=" + g + "]")
collections_ = gen("gen0") + gen("gen1") + gen("gen2")
pause = total("gc.pause.time")
print(f"| `{sys.argv[2]}` | {float(sys.argv[3]):,.0f} | {total('process.cpu.time') / requests * 1e6:.1f} | {total('total_allocated') / requests:,.0f} "
      f"| {gen('gen0') / requests * 1e4:.1f} | {gen('gen1') / requests * 1e4:.2f} | {pause / max(collections_, 1) * 1000:.2f} | {pause / 6 * 100:.1f} % |")
PY
done
