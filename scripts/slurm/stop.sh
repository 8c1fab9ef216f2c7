#!/usr/bin/env bash
# Stops the daemons that scripts/slurm/start.sh started, by their pid files; keeps the
# configuration and state under $SEGSWEEP_SLURM_DIR (default /tmp/segsweep-slurm).
set -uo pipefail
DIR=${SEGSWEEP_SLURM_DIR:-/tmp/segsweep-slurm}

stop() {
  local name=$1 pid_file=$2 pid
  [[ -s $pid_file ]] || return 0
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    printf 'slurm/stop.sh: stopped %s (pid %s)\n' "$name" "$pid" >&2
  fi
  rm -f "$pid_file"
}

stop slurmd "$DIR/run/slurmd.pid"
stop slurmctld "$DIR/run/slurmctld.pid"
stop munged "$DIR/munge/munged.pid"
