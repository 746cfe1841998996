#!/usr/bin/env bash
# CPU time per request under full load, per process (the benchmark host, the mock backend, wrk), for the native and the
# Needle JS forms of hello, transformer and aggregator (issue #18's stage table). Throughput on a shared machine moves
# with whatever else runs; the CPU a process spends on one request does much less, so it is what the stage table
# compares with the in-process BenchmarkDotNet stages.
#
#   benchmarks/load/cpu.sh [commit]     (default: this checkout, built in Release)
#
# Overridable: ROUNDS (3), D (5s), PORT (5502), MOCK_PORT (5501). A commit is checked out and built under
# /tmp/bench-<commit> as interleave.sh does. Prints one line per target and round: req/s, then µs of CPU per request
# for the host, the mock and wrk (user + system, from /proc and getrusage), and the load average.
set -u
ROUNDS=${ROUNDS:-3}; D=${D:-5s}; PORT=${PORT:-5502}; MOCK_PORT=${MOCK_PORT:-5501}
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
d=$repo
if [ $# -gt 0 ]; then
  d=/tmp/bench-$1
  [ -d "$d" ] || git -C "$repo" worktree add --detach "$d" "$1" >/dev/null
fi
dll=$d/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll
[ $# -eq 0 ] || [ ! -f "$dll" ] && dotnet build "$d/benchmarks/Needle.Benchmarks.Host/Needle.Benchmarks.Host.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
node "$here/mock-backend.js" "$MOCK_PORT" >/dev/null 2>&1 & mock=$!
w=$(mktemp -d)
(cd "$w" && exec dotnet "$dll" --port "$PORT" --mock "http://127.0.0.1:$MOCK_PORT" --functions "$d/samples/Needle.Sample/functions" --db "$w/needle.db") >"$w/host.log" 2>&1 &
host=$!
trap 'kill $host $mock 2>/dev/null; rm -rf "$w"' EXIT
u=http://127.0.0.1:$PORT
for i in $(seq 120); do curl -sf -o /dev/null "$u/fn/profile/9" && curl -sf -o /dev/null "$u/fn/hello?name=Ada" && curl -sf -o /dev/null "$u/fn/products" && break; sleep 0.5; done
paths=(/native/hello?name=Ada /fn/hello?name=Ada /native/products?category=tools /fn/products?category=tools /native/profile/9 /fn/profile/9)
for p in "${paths[@]}"; do wrk -t2 -c64 -d3s "$u$p" >/dev/null; done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
echo "commit $(git -C "$d" rev-parse --short HEAD), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  for p in "${paths[@]}"; do
    h0=$(ticks $host); m0=$(ticks $mock)
    out=$( { /usr/bin/time -f 'WRKCPU %U %S' wrk -t2 -c64 -d"$D" "$u$p"; } 2>&1 )
    h1=$(ticks $host); m1=$(ticks $mock)
    n=$(awk '/requests in/ {print $1}' <<<"$out"); rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    err=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    wc=$(awk '/^WRKCPU/ {print $2 + $3}' <<<"$out")
    awk -v p="$p" -v r="$r" -v n="$n" -v rps="$rps" -v h=$((h1 - h0)) -v m=$((m1 - m0)) -v wc="$wc" -v hz="$hz" -v e="${err:-0}" -v l="$(cut -d' ' -f1 /proc/loadavg)" \
      'BEGIN { printf "round %d %-32s %7d req/s  cpu µs/req: host %6.1f  mock %5.1f  wrk %5.1f  errors %s  load %s\n", r, p, rps, h / hz * 1e6 / n, m / hz * 1e6 / n, wc * 1e6 / n, e, l }'
  done
done
