#!/usr/bin/env bash
# The incident drill on three nodes (issue #15): samples/cluster/run.sh starts PostgreSQL and three sample nodes
# (AddRollback on Hangfire.PostgreSql, guard defaults, each node's guard judging the cluster's health windows); the
# drill puts CONCURRENCY loops on each node, deploys a canary at 10 % that fails half its requests through node 2,
# waits for the guards' rollback (nobody calls the API), then posts an emergency patch through node 3. It prints
# when each node served the canary last after the first failure anywhere (target: all within 10 s), the audited
# rollbacks (one expected), failed requests and the patch's arrival per node.
#
#   benchmarks/drill/cluster.sh
#
# Overridable: CONCURRENCY (loops per node, 6), AFTER (seconds of load after the canary, 10), RESULTS (a file that
# receives a copy of the report), and samples/cluster/run.sh's NEEDLE_CLUSTER_PORTS / NEEDLE_PG_PORT.
set -euo pipefail
CONCURRENCY=${CONCURRENCY:-6}
AFTER=${AFTER:-10}
repo=$(cd "$(dirname "$0")/../.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build -c Release "$repo/samples/Needle.Sample" -v q -nologo >/dev/null
dotnet build -c Release "$repo/benchmarks/Needle.Benchmarks.Drill" -v q -nologo >/dev/null
export NEEDLE_SAMPLE_DLL
NEEDLE_SAMPLE_DLL=$(ls "$repo"/samples/Needle.Sample/bin/Release/net*/Needle.Sample.dll | sort -V | tail -1)
drill=$(ls "$repo"/benchmarks/Needle.Benchmarks.Drill/bin/Release/net*/Needle.Benchmarks.Drill.dll | sort -V | tail -1)
read -r -a ports <<<"${NEEDLE_CLUSTER_PORTS:-5081 5082 5083}"
urls="http://127.0.0.1:${ports[0]},http://127.0.0.1:${ports[1]},http://127.0.0.1:${ports[2]}"

# The nodes log at Warning: at Information every request of the load would be a console line.
export NEEDLE_NODE_ARGS="--Logging:LogLevel:Default Warning"
report=$(
  echo "Machine: $(nproc) vCPU, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB RAM; $(uname -sr); .NET $(dotnet --version); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "Command: benchmarks/drill/cluster.sh (CONCURRENCY=$CONCURRENCY per node, AFTER=$AFTER)"
  echo
  "$repo/samples/cluster/run.sh" -- dotnet exec "$drill" "$urls" "$CONCURRENCY" "$AFTER" | grep -v '^\[cluster\]'
)
echo "$report"
if [[ -n "${RESULTS:-}" ]]; then
  echo "$report" >"$RESULTS"
fi
