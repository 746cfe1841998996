#!/usr/bin/env bash
# C# functions against native minimal-API endpoints, in one host process, plus deploy latency and version churn.
# Usage: benchmarks/csharp/run.sh [seconds per wrk run, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
PORT=5090
PROJECT=benchmarks/Needle.Benchmarks.CSharp
dotnet build "$PROJECT" -c Release -v q -nologo >/dev/null
DLL="$PROJECT/bin/Release/net10.0/Needle.Benchmarks.CSharp.dll"

dotnet "$DLL" serve "$PORT" > /tmp/needle-bench-cs-serve.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$PORT/fn/cs/products" >/dev/null 2>&1 && break
  sleep 0.2
done

run() { # name path -> "req/s p99"
  wrk -t2 -c64 -d2s "http://127.0.0.1:$PORT$2" >/dev/null 2>&1 || true   # warm-up
  local out rps p99
  out=$(wrk -t2 -c64 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "$1: non-2xx responses" >&2; fi
  printf '%-22s %10s req/s   p99 %8s\n' "$1" "$rps" "$p99" >&2
  echo "$rps"
}

echo "wrk -t2 -c64 -d${DURATION}s --latency, one host process ($(nproc) cores)" >&2
native_hello=$(run "native hello" "/native/hello?name=Ada")
cs_hello=$(run "C# hello" "/fn/cs/hello?name=Ada")
native_products=$(run "native transformer" "/native/products?category=tools")
cs_products=$(run "C# transformer" "/fn/cs/products?category=tools")
awk -v a="$cs_hello" -v b="$native_hello" 'BEGIN { printf "C# hello / native:        %.1f %%\n", 100*a/b }'
awk -v a="$cs_products" -v b="$native_products" 'BEGIN { printf "C# transformer / native:  %.1f %%\n", 100*a/b }'
kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true

dotnet "$DLL" deploy 100
dotnet "$DLL" churn 1000
