#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the Slurm executor tests (as root, without
# systemd): munged, slurmctld and slurmd with everything under $SEGSWEEP_SLURM_DIR
# (default /tmp/segsweep-slurm). Installs the Debian packages when missing. Safe to run twice.
# Afterwards clients need `export SLURM_CONF=$SEGSWEEP_SLURM_DIR/etc/slurm.conf`; the tests find
# it there on their own. Stop with scripts/slurm/stop.sh.
set -euo pipefail

DIR=${SEGSWEEP_SLURM_DIR:-/tmp/segsweep-slurm}
CPUS=${SEGSWEEP_SLURM_CPUS:-$(nproc)}
# Fake GPUs (GRES) so that --gres=gpu:N can be tested on a machine without GPUs; 0 for none.
GPUS=${SEGSWEEP_SLURM_GPUS:-2}
CONF=$DIR/etc/slurm.conf
SOCKET=$DIR/munge/munge.socket.2

say() { printf 'slurm/start.sh: %s\n' "$*" >&2; }
running() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends slurm-wlm slurmctld slurmd slurm-client munge >/dev/null
fi

mkdir -p "$DIR"/{etc,munge,state,spool,log,run,gpus}
# The socket folder must be reachable by job users; the key stays private.
chmod 755 "$DIR/munge"
[[ -s $DIR/munge/munge.key ]] || head -c 1024 /dev/urandom > "$DIR/munge/munge.key"
chmod 600 "$DIR/munge/munge.key"

# Memory: 90% of physical memory, so that --mem requests of the tests fit.
NODE_GRES=""
GRES_TYPES=""
rm -f "$DIR/etc/gres.conf"
if ((GPUS > 0)); then
  # gres.conf File= entries must be character devices: each fake GPU is a copy of /dev/null.
  for ((i = 0; i < GPUS; i++)); do
    [[ -c $DIR/gpus/gpu$i ]] || mknod "$DIR/gpus/gpu$i" c 1 3
  done
  echo "NodeName=localhost Name=gpu File=$DIR/gpus/gpu[0-$((GPUS - 1))]" > "$DIR/etc/gres.conf"
  NODE_GRES="Gres=gpu:$GPUS"
  GRES_TYPES="GresTypes=gpu"
fi

PREVIOUS_CONF=$(cat "$CONF" 2>/dev/null || true)
MEMORY_MB=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
cat > "$CONF" <<CONF
ClusterName=segsweep
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# Jobs without --mem get this much per CPU instead of the whole node.
DefMemPerCPU=500
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,sched_min_interval=0,batch_sched_delay=0
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MinJobAge=3600
MailProg=/bin/true
MaxArraySize=10001
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
$GRES_TYPES
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEMORY_MB $NODE_GRES State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$CONF

# `scontrol reconfigure` does not apply every change (node GRES, for one), so restart instead.
if [[ $(cat "$CONF") != "$PREVIOUS_CONF" ]] && running "$DIR/run/slurmctld.pid"; then
  say "the configuration changed; restarting the daemons"
  SEGSWEEP_SLURM_DIR=$DIR "$(dirname "$0")/stop.sh"
fi

if ! running "$DIR/munge/munged.pid"; then
  rm -f "$SOCKET" "$SOCKET.lock"
  # --force: /tmp is world-writable, which munged otherwise refuses.
  munged --force --socket="$SOCKET" --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munge/munged.pid" \
    --log-file="$DIR/munge/munged.log" --seed-file="$DIR/munge/munged.seed"
fi
running "$DIR/run/slurmctld.pid" || slurmctld -f "$CONF"

for _ in $(seq 150); do
  timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' && break
  sleep 0.2
done
running "$DIR/run/slurmd.pid" || slurmd -f "$CONF" -N localhost

for _ in $(seq 150); do
  state=$(timeout 5 sinfo -h -N -n localhost -o '%T' 2>/dev/null || true)
  case $state in idle | mixed | allocated) say "node localhost is $state; export SLURM_CONF=$CONF"; exit 0 ;; esac
  sleep 0.2
done
say "the node did not come up (state '$state'); logs are in $DIR/log/"
exit 1
