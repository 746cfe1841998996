#!/usr/bin/env bash
# Cluster convergence (issue #15), three rounds, each on a fresh three-node cluster from samples/cluster/run.sh:
#   1. notifications (LISTEN/NOTIFY): COUNT deploys and COUNT rollbacks, time from the API call's return until all
#      three nodes serve the change;
#   2. the same with notifications off, the poll (Needle:PollInterval, 2 s by default) the only trigger;
#   3. SWAPS deploy/rollback swaps while CLIENTS loops per node call the function: failed requests counted.
# Figures go to docs/benchmarks.md by hand. Environment: COUNT (100), POLL_COUNT (COUNT), SWAPS (50), CLIENTS (4),
# POLL_INTERVAL (00:00:02), and samples/cluster/run.sh's own (NEEDLE_CLUSTER_PORTS, NEEDLE_PG_PORT).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
count=${COUNT:-100}
poll_count=${POLL_COUNT:-$count}
swaps=${SWAPS:-50}
clients=${CLIENTS:-4}
poll=${POLL_INTERVAL:-00:00:02}

echo "== build (Release): the sample and the benchmark"
dotnet build "$repo/samples/Needle.Sample/Needle.Sample.csproj" -c Release -v q -nologo
dotnet build "$repo/benchmarks/Needle.Benchmarks.Cluster/Needle.Benchmarks.Cluster.csproj" -c Release -v q -nologo
export NEEDLE_SAMPLE_DLL
NEEDLE_SAMPLE_DLL=$(ls "$repo"/samples/Needle.Sample/bin/Release/net*/Needle.Sample.dll | sort -V | tail -1)
bench=$(ls "$repo"/benchmarks/Needle.Benchmarks.Cluster/bin/Release/net*/Needle.Benchmarks.Cluster.dll | sort -V | tail -1)

# The nodes log at Warning: at Information every polled request would be a console line.
quiet="--Logging:LogLevel:Default Warning"
export NEEDLE_NODE_ARGS="$quiet"
echo "== 1. notifications on"
"$repo/samples/cluster/run.sh" -- dotnet exec "$bench" --count "$count" --label "(LISTEN/NOTIFY)"
echo "== 2. notifications off: poll every $poll"
NEEDLE_NODE_ARGS="$quiet --Needle:Notifications false --Needle:PollInterval $poll" \
  "$repo/samples/cluster/run.sh" -- dotnet exec "$bench" --count "$poll_count" --label "(poll every $poll, notifications off)"
echo "== 3. load during $swaps swaps"
"$repo/samples/cluster/run.sh" -- dotnet exec "$bench" --swaps "$swaps" --clients "$clients" --label "(LISTEN/NOTIFY)"
