#!/usr/bin/env bash
# A CPU-sampling trace of the benchmark host under wrk load on one path, and the methods on the stack the longest
# (inclusive), for issue #18's stage table at full load:
#
#   benchmarks/load/trace.sh /fn/hello?name=Ada [out-dir]
#
# Needs dotnet-trace (dotnet tool install -g dotnet-trace). Overridable: D (8s of trace, wrk runs 4 s longer),
# PORT (5602), MOCK_PORT (5601), TOP (150). Writes out-dir/trace.nettrace and out-dir/top.txt (default: a temp dir).
set -u
path=${1:?a path such as /fn/hello?name=Ada}; out=${2:-$(mktemp -d)}
D=${D:-8}; PORT=${PORT:-5602}; MOCK_PORT=${MOCK_PORT:-5601}; TOP=${TOP:-150}
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
trace=$(command -v dotnet-trace || echo "$HOME/.dotnet/tools/dotnet-trace")
dll=$repo/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll
[ -f "$dll" ] || dotnet build "$repo/benchmarks/Needle.Benchmarks.Host/Needle.Benchmarks.Host.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
mkdir -p "$out"
node "$here/mock-backend.js" "$MOCK_PORT" >/dev/null 2>&1 & mock=$!
w=$(mktemp -d)
(cd "$w" && exec dotnet "$dll" --port "$PORT" --mock "http://127.0.0.1:$MOCK_PORT" --functions "$repo/samples/Needle.Sample/functions" --db "$w/needle.db") >"$w/host.log" 2>&1 &
host=$!
trap 'kill $host $mock 2>/dev/null; rm -rf "$w"' EXIT
u=http://127.0.0.1:$PORT
for i in $(seq 120); do curl -sf -o /dev/null "$u$path" && break; sleep 0.5; done
wrk -t2 -c64 -d3s "$u$path" >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c64 -d$((D + 4))s "$u$path" >"$out/wrk.txt" & load=$!
sleep 2
"$trace" collect -p "$host" --profile dotnet-sampled-thread-time --duration "00:00:$(printf '%02d' "$D")" -o "$out/trace.nettrace" >/dev/null
wait $load
grep -E 'Requests/sec|requests in' "$out/wrk.txt"
"$trace" report "$out/trace.nettrace" topN --inclusive -n "$TOP" >"$out/top.txt"
echo "written: $out/top.txt"
