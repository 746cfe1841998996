#!/usr/bin/env bash
# A local three-node Needle cluster: a throwaway PostgreSQL (Debian's postgresql package, initdb + pg_ctl on a
# temporary data directory) and three sample hosts on 127.0.0.1:5081-5083 (node ids node-1..node-3) that share it and
# watch the sample's functions folder. Ctrl-C (or any failure) stops everything and deletes the temporary directory.
#
#   samples/cluster/run.sh              start, print the URLs, run until Ctrl-C
#   samples/cluster/run.sh --check      start, check that every node serves and that a deploy on node-1 serves on
#                                       node-2 and node-3, stop; exit 0 when all of that held
#   samples/cluster/run.sh -- CMD ...   start, run CMD with NEEDLE_NODES (the three base URLs, space-separated) and
#                                       NEEDLE_POSTGRES (the connection string) set, stop; exit with CMD's status
#
# Environment (all optional):
#   NEEDLE_CLUSTER_PORTS  the three nodes' ports (default "5081 5082 5083")
#   NEEDLE_PG_PORT        PostgreSQL's port (default: the first free one from 5433)
#   NEEDLE_NODE_ARGS      extra arguments for every node, e.g. "--Needle:Notifications false --Needle:PollInterval 00:00:00.500"
#   NEEDLE_SAMPLE_DLL     a built Needle.Sample.dll to run instead of building the sample (Release) first
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
mode=run
command=()
case "${1:-}" in
  --check) mode=check ;;
  --) shift; mode=command; command=("$@") ;;
  "") ;;
  *) echo "usage: $0 [--check | -- command ...]" >&2; exit 2 ;;
esac
read -r -a ports <<< "${NEEDLE_CLUSTER_PORTS:-5081 5082 5083}"
read -r -a node_args <<< "${NEEDLE_NODE_ARGS:-}"
if [ "${#ports[@]}" -ne 3 ]; then
  echo "NEEDLE_CLUSTER_PORTS must name three ports (was '${NEEDLE_CLUSTER_PORTS:-}')." >&2
  exit 2
fi

say() { echo "[cluster] $*"; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  say "PostgreSQL's server binaries were not found under /usr/lib/postgresql/*/bin."
  say "Install Debian's package first (as root): apt-get update && apt-get install -y --no-install-recommends postgresql"
  exit 1
fi
command -v curl >/dev/null || { say "curl is needed (apt-get install -y curl)."; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/needle-cluster.XXXXXX")
chmod 755 "$work"
pids=()
as_postgres=()
pg_started=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [ "${#pids[@]}" -gt 0 ] && say "stopping the nodes and PostgreSQL."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A node gets 30 s to stop (the host's own shutdown timeout); one that is still running then is killed, and said so.
  local waited=0
  while [ "$waited" -lt 300 ]; do
    local running=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ "$running" -eq 0 ] && break
    sleep 0.1
    waited=$((waited + 1))
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      say "node-$((i + 1)) did not stop within 30 s of SIGTERM: killed."
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
    wait "${pids[$i]}" 2>/dev/null || true
  done
  if [ -n "$pg_started" ]; then
    "${as_postgres[@]}" "$bin/pg_ctl" -D "$work/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || "${as_postgres[@]}" "$bin/pg_ctl" -D "$work/pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [ "$status" -ne 0 ] && [ "$status" -ne 130 ]; then
    for log in "$work"/node-*.log "$work/pg/server.log"; do
      [ -f "$log" ] && { say "--- last lines of $log"; tail -n 30 "$log"; }
    done
  fi
  rm -rf "$work"
  say "stopped."
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# PostgreSQL refuses to run as root: then the data directory is the postgres user's and the server runs as it.
mkdir -p "$work/pg/sockets"
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres:postgres "$work/pg"
  as_postgres=(runuser -u postgres --)
fi
port_free() { ! (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pg_port=${NEEDLE_PG_PORT:-}
if [ -z "$pg_port" ]; then
  pg_port=5433
  while ! port_free "$pg_port"; do pg_port=$((pg_port + 1)); done
fi
for port in "${ports[@]}"; do
  port_free "$port" || { say "port $port is taken; set NEEDLE_CLUSTER_PORTS to three free ports."; exit 1; }
done

say "PostgreSQL ($bin) on 127.0.0.1:$pg_port, data in $work/pg"
"${as_postgres[@]}" "$bin/initdb" -D "$work/pg/data" -U postgres -A trust -E UTF8 --no-sync --no-instructions >"$work/pg/initdb.log" 2>&1 \
  || { cat "$work/pg/initdb.log"; exit 1; }
"${as_postgres[@]}" "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
  -o "-p $pg_port -k $work/pg/sockets -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
pg_started=1
"$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAt -c "CREATE DATABASE needle" >/dev/null
connection="Host=127.0.0.1;Port=$pg_port;Database=needle;Username=postgres"

dll=${NEEDLE_SAMPLE_DLL:-}
if [ -z "$dll" ]; then
  say "building the sample (Release) once"
  dotnet build "$repo/samples/Needle.Sample/Needle.Sample.csproj" -c Release -v q -nologo >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; exit 1; }
  dll=$(ls "$repo"/samples/Needle.Sample/bin/Release/net*/Needle.Sample.dll | sort -V | tail -1)
fi

urls=()
for i in 1 2 3; do
  url="http://127.0.0.1:${ports[$((i - 1))]}"
  urls+=("$url")
  mkdir -p "$work/node-$i"
  # Each node in a folder of its own (anything it writes beside itself), all on one database and one functions folder.
  (cd "$work/node-$i" && exec env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__NeedlePostgres="$connection" \
    dotnet exec "$dll" --urls "$url" --Needle:NodeId "node-$i" --Needle:FunctionsPath "$repo/samples/Needle.Sample/functions" \
    "${node_args[@]}") >"$work/node-$i.log" 2>&1 &
  pids+=($!)
done

# Ready when /fn/hello answers 200 (the folder's functions are deployed before a node listens).
for i in 0 1 2; do
  for attempt in $(seq 1 600); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "${urls[$i]}/fn/hello")" = 200 ]; then break; fi
    kill -0 "${pids[$i]}" 2>/dev/null || { say "node-$((i + 1)) exited before it served."; exit 1; }
    [ "$attempt" -eq 600 ] && { say "node-$((i + 1)) did not serve /fn/hello within 300 s."; exit 1; }
    sleep 0.5
  done
done

say "three nodes on one PostgreSQL ($connection):"
for i in 0 1 2; do
  say "  node-$((i + 1))  functions ${urls[$i]}/fn/hello?name=you   console ${urls[$i]}/needle   API ${urls[$i]}/needle/api/functions"
done

case "$mode" in
  check)
    # A function deployed through node-1's API serves on node-2 and node-3.
    source='export default async () => ({ check: true });'
    status=$(curl -s -o "$work/deploy.json" -w '%{http_code}' -H 'Content-Type: application/json' \
      -d "{\"source\": \"$source\", \"reason\": \"run.sh --check\"}" "${urls[0]}/needle/api/functions/cluster-check/versions")
    [ "$status" = 201 ] || { say "deploy on node-1 answered $status: $(cat "$work/deploy.json")"; exit 1; }
    for i in 1 2; do
      for attempt in $(seq 1 100); do
        served=$(curl -s -o /dev/null -D - "${urls[$i]}/fn/cluster-check" | tr -d '\r' | awk -F': ' 'tolower($1) == "needle-version" {print $2}')
        [ "$served" = "cluster-check@1" ] && break
        [ "$attempt" -eq 100 ] && { say "node-$((i + 1)) did not serve cluster-check@1 within 10 s (serves '$served')."; exit 1; }
        sleep 0.1
      done
    done
    say "check passed: every node serves the sample's functions; a deploy on node-1 serves on node-2 and node-3."
    ;;
  command)
    say "running: ${command[*]}"
    NEEDLE_NODES="${urls[*]}" NEEDLE_POSTGRES="$connection" "${command[@]}"
    ;;
  run)
    say "Ctrl-C stops the cluster."
    wait -n "${pids[@]}" || true
    say "a node exited."
    exit 1
    ;;
esac
