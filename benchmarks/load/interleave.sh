#!/usr/bin/env bash
# Interleaved A/B rounds of two commits, for "within noise" questions that one run.sh each cannot answer:
#
#   benchmarks/load/interleave.sh <commit A> <commit B> [...]
#
# Each commit is checked out (git worktree, detached) and built in Release under /tmp/bench-<commit> unless it is
# there already. Both benchmark hosts run side by side (ports 5402, 5403, ...; the mock backend on 5401); ROUNDS times
# (5), wrk -t2 -c64 -d$D (5s) on native hello, JS hello, native aggregator and JS aggregator of A, then of B; the
# per-round Needle/native ratios and their medians; then 100 deploys against each (Needle.Benchmarks.DeployLatency).
set -u
ROUNDS=${ROUNDS:-5}; D=${D:-5s}
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
for c in "$@"; do
  d=/tmp/bench-$c
  [ -d "$d" ] || git -C "$repo" worktree add --detach "$d" "$c" >/dev/null
  for p in Needle.Benchmarks.Host Needle.Benchmarks.DeployLatency; do
    [ -f "$d/benchmarks/$p/bin/Release/net10.0/$p.dll" ] || dotnet build "$d/benchmarks/$p/$p.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
  done
done
node "$here/mock-backend.js" 5401 >/dev/null 2>&1 & mock=$!
pids=($mock); trap 'kill ${pids[@]} 2>/dev/null' EXIT
port=5402; declare -A P
for c in "$@"; do
  d=/tmp/bench-$c; w=$(mktemp -d)
  (cd $w && exec dotnet $d/benchmarks/Needle.Benchmarks.Host/bin/Release/net10.0/Needle.Benchmarks.Host.dll --port $port --mock http://127.0.0.1:5401 --functions $d/samples/Needle.Sample/functions --db $w/needle.db) > $w/host.log 2>&1 &
  pids+=($!); P[$c]=$port; port=$((port+1))
done
for c in "$@"; do for i in $(seq 120); do curl -sf -o /dev/null "http://127.0.0.1:${P[$c]}/fn/profile/9" && curl -sf -o /dev/null "http://127.0.0.1:${P[$c]}/fn/hello?name=Ada" && break; sleep 0.5; done; done
rps() { wrk -t2 -c64 -d$D "$1" | awk '/^Requests\/sec:/{print $2}'; }
for c in "$@"; do for p in /native/hello?name=Ada /fn/hello?name=Ada /native/profile/9 /fn/profile/9; do wrk -t2 -c64 -d3s "http://127.0.0.1:${P[$c]}$p" >/dev/null; done; done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A H G
for r in $(seq $ROUNDS); do
  for c in "$@"; do
    u=http://127.0.0.1:${P[$c]}
    n=$(rps "$u/native/hello?name=Ada"); f=$(rps "$u/fn/hello?name=Ada")
    an=$(rps "$u/native/profile/9"); af=$(rps "$u/fn/profile/9")
    h=$(awk -v a=$f -v b=$n 'BEGIN{printf "%.3f", a/b}'); g=$(awk -v a=$af -v b=$an 'BEGIN{printf "%.3f", a/b}')
    H[$c]="${H[$c]:-} $h"; G[$c]="${G[$c]:-} $g"
    echo "round $r $c hello native=${n%.*} js=${f%.*} $h | aggregator native=${an%.*} js=${af%.*} $g"
  done
done
med() { printf '%s\n' $@ | sort -n | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
for c in "$@"; do echo "MEDIAN $c hello $(med ${H[$c]}) aggregator $(med ${G[$c]}) | hello rounds:${H[$c]} | aggregator rounds:${G[$c]}"; done
for c in "$@"; do
  dl=/tmp/bench-$c/benchmarks/Needle.Benchmarks.DeployLatency/bin/Release/net10.0/Needle.Benchmarks.DeployLatency.dll
  [ -f $dl ] && echo "DEPLOY $c $(dotnet $dl --url http://127.0.0.1:${P[$c]} --count 100 | grep '^RESULT')"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
