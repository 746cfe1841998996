#!/usr/bin/env bash
# False-rollback drill: the sample host under steady load; 20 healthy canary releases (10 %) the guard must keep and
# 20 bad ones it must roll back. Overridable as incident.sh, plus RELEASES (20) and WATCH (seconds per healthy release, 15).
#
#   benchmarks/drill/false-rollbacks.sh
set -euo pipefail
MODE=false-rollbacks exec "$(cd "$(dirname "$0")" && pwd)/incident.sh"
