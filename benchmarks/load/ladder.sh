#!/usr/bin/env bash
# Where the JavaScript hello's extra CPU goes at full load, rung by rung (issue #18):
#
#   benchmarks/load/ladder.sh [host dll]
#
# On one benchmark host, under wrk -t2 -c64 (D, default 6s, after a 2 s warm-up), in ROUNDS rounds (default 3) whose
# target order rotates:
#   native        /native/hello        a minimal-API endpoint (System.Text.Json)
#   bare Jint     /floor/jint/hello    the same handler on a bare Jint engine per thread, Jint's JSON.stringify
#   Needle engine /floor/engine/hello  Needle's JavaScriptEngine per thread (limits, sandbox, req/ctx, promise pump,
#                                      UTF-8 writer) without Needle's endpoint
#   Needle engine, pooled  /floor/pool/hello  the same, the engine taken from one shared JavaScriptEnginePool
#   Needle function        /floor/function/hello  the version loaded by Needle's JavaScriptRuntime, called through
#                                                 its ILoadedFunction (its pool, recycling, memory accounting)
#   Needle JS     /fn/hello            the sample's hello.js served by Needle
#   Needle C#     /fn/hello-cs         the same hello as a C# function served by Needle (deployed by this script)
# Per run, from the host's own counters (/floor/stats) read before and after: req/s, host CPU µs per request, bytes
# allocated per request, gen0 collections per 10,000 requests, share of the run paused for GC. Then the medians.
# Overridable: PORT (5413), ROUNDS, D, HOST_ARGS (more host options, e.g. "--max-calls-per-engine 0").
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
dll=${1:-$repo/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll}
port=${PORT:-5413}; rounds=${ROUNDS:-3}; duration=${D:-6s}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "ladder.sh: $tool is not installed." >&2; exit 1; }
done
[ -f "$dll" ] || dotnet build "$repo/benchmarks/Needle.Benchmarks.Host/Needle.Benchmarks.Host.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
work=$(mktemp -d)
(cd "$work" && exec dotnet "$dll" --port "$port" --mock "http://127.0.0.1:9" --functions "$repo/samples/Needle.Sample/functions" --db "$work/n.db" ${HOST_ARGS:-}) >"$work/host.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 120); do
  curl -sf -o /dev/null "$base/fn/hello?name=Ada" && break
  sleep 0.5
done
python3 - >"$work/deploy.json" <<'PY'
import json
source = """public sealed class HelloCs : INeedleFunction
{
    // hello.js in C#: the query's name, or "world".
    public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context) =>
        Task.FromResult<object?>(new { message = $"Hello, {(request.Query.TryGetValue("name", out var name) ? name.ToString() : "world")}!" });
}
"""
print(json.dumps({"source": source, "manifest": {"route": "/hello-cs", "methods": ["GET"], "runtime": "csharp"}, "reason": "ladder.sh"}))
PY
curl -sf -o /dev/null -X POST -H 'content-type: application/json' --data @"$work/deploy.json" "$base/needle/api/functions/hello-cs/versions" \
  || { echo "ladder.sh: deploying hello-cs failed:" >&2; curl -s -X POST -H 'content-type: application/json' --data @"$work/deploy.json" "$base/needle/api/functions/hello-cs/versions" >&2; exit 1; }
for path in "/fn/hello-cs?name=Ada" "/floor/jint/hello?name=Ada" "/floor/engine/hello?name=Ada" "/floor/pool/hello?name=Ada" "/floor/function/hello?name=Ada" "/native/hello?name=Ada"; do
  for _ in $(seq 60); do curl -sf -o /dev/null "$base$path" && break; sleep 0.5; done
  echo "$path: $(curl -s "$base$path")" >&2
done

targets=("native|/native/hello?name=Ada" "bare Jint|/floor/jint/hello?name=Ada" "Needle engine|/floor/engine/hello?name=Ada" "Needle engine, pooled|/floor/pool/hello?name=Ada" "Needle function|/floor/function/hello?name=Ada" "Needle JS|/fn/hello?name=Ada" "Needle C#|/fn/hello-cs?name=Ada")
: >"$work/runs"
# Every rung warm before any is measured: a fresh process's first target would pay the JIT's tiering alone.
for entry in "${targets[@]}"; do wrk -t2 -c64 -d3s "$base${entry#*|}" >/dev/null; done
for round in $(seq "$rounds"); do
  n=${#targets[@]}
  for i in $(seq 0 $((n - 1))); do
    entry=${targets[$(((i + round - 1) % n))]}
    name=${entry%%|*}; path=${entry#*|}
    wrk -t2 -c64 -d2s "$base$path" >/dev/null
    before=$(curl -s "$base/floor/stats")
    out=$(wrk -t2 -c64 -d"$duration" "$base$path")
    after=$(curl -s "$base/floor/stats")
    requests=$(echo "$out" | awk '/requests in/ {print $1}')
    errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    seconds=$(echo "$out" | awk '/requests in/ {gsub(/s,/, "", $4); print $4}')
    echo "$round|$name|$requests|$seconds|$before|$after|$errors" >>"$work/runs"
    echo "round $round: $name done ($requests requests) $errors" >&2
  done
done
python3 - "$work/runs" <<'PY'
import json, statistics, sys
rows = {}
order = []
for line in open(sys.argv[1]):
    rnd, name, requests, seconds, before, after, errors = line.rstrip("\n").split("|", 6)
    b, a, n, s = json.loads(before), json.loads(after), float(requests), float(seconds)
    if name not in rows:
        rows[name] = []
        order.append(name)
    rows[name].append({
        "rps": n / s,
        "cpu": (a["cpuMicroseconds"] - b["cpuMicroseconds"]) / n,
        "bytes": (a["allocatedBytes"] - b["allocatedBytes"]) / n,
        "gen0": (a["gen0Collections"] - b["gen0Collections"]) / n * 1e4,
        "paused": (a["pauseMilliseconds"] - b["pauseMilliseconds"]) / (s * 1000) * 100,
        "errors": errors.strip(),
    })
med = {name: {k: statistics.median(r[k] for r in runs) for k in ("rps", "cpu", "bytes", "gen0", "paused")} for name, runs in rows.items()}
native = med["native"]
print("| rung | req/s (median) | vs native | host CPU µs per request | over native | B allocated per request | gen0 per 10k | paused | rounds' CPU µs |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for name in ["native", "bare Jint", "Needle engine", "Needle engine, pooled", "Needle function", "Needle JS", "Needle C#"]:
    m = med[name]
    spread = ", ".join(f"{r['cpu']:.1f}" for r in rows[name])
    errs = "; ".join(sorted({r["errors"] for r in rows[name] if r["errors"]}))
    print(f"| {name} | {m['rps']:,.0f} | {m['rps'] / native['rps']:.3f} | {m['cpu']:.1f} | {m['cpu'] - native['cpu']:+.1f} | {m['bytes']:,.0f} | {m['gen0']:.1f} | {m['paused']:.1f} % | {spread}{' · ' + errs if errs else ''} |")
PY
