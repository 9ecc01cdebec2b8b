#!/usr/bin/env bash
# A real Slurm on one machine: sets up a single-node cluster from Debian's packages (slurmctld,
# slurmd, slurm-client, munge) as root without systemd, on 127.0.0.1; runs the demo's corpus and
# tokenizer stages as 3 Slurm tasks each and compares them with one process; then makes one task
# fail, reruns, and checks that only that task was submitted again and that the result is
# unchanged.
#
#   sudo scripts/test-slurm.sh        # Debian 12, root; fetches the demo data like scripts/demo.sh
#
# Settings known to work without cgroups or accounting: ProctrackType=proctrack/linuxproc,
# TaskPlugin=task/none, no accounting (Mekong checks its completion markers, not sacct).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ "$(id -u)" = 0 ] || { echo "test-slurm.sh installs Slurm and starts its daemons: run it as root" >&2; exit 1; }

step() { printf '\n== %s\n' "$*"; }

step "Slurm and munge from Debian's packages"
if ! command -v slurmctld >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  # No service may start from the packages' scripts: there is no init system to own them.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
fi

step "munge, slurmctld and slurmd on 127.0.0.1"
host=$(hostname -s)
mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge /etc/munge
[ -s /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; }
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > /etc/slurm/slurm.conf <<EOF
ClusterName=mekong
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=mekong Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
if pgrep -x slurmctld >/dev/null; then scontrol reconfigure; else /usr/sbin/slurmctld; fi
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
for _ in $(seq 30); do
  sinfo --noheader --format=%t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
  sleep 1
done
sbatch --version  # only now: Slurm's commands read slurm.conf before anything else
sinfo

step "the demo's data and the release build"
python3 scripts/fetch_demo_data.py --output data/demo
cargo build --release
mekong=${CARGO_TARGET_DIR:-target}/release/mekong
one=pipelines/.slurm-one.toml
split=pipelines/.slurm-split.toml
sed 's|^workdir = .*|workdir = "../runs/slurm-one"|' pipelines/demo.toml > "$one"
sed 's|^workdir = .*|workdir = "../runs/slurm-split"|' pipelines/demo.toml > "$split"
rm -rf runs/slurm-one runs/slurm-split

step "one process"
/usr/bin/time -f "one process: %e s" "$mekong" run "$one" --only corpus,tokenizer

step "3 Slurm tasks"
/usr/bin/time -f "3 Slurm tasks: %e s" "$mekong" run "$split" --only corpus,tokenizer \
  --executor slurm --tasks 3

step "the same result"
venv=.cache/slurm-venv
[ -x "$venv/bin/python" ] || { python3 -m venv "$venv"; "$venv/bin/pip" install -q pyarrow; }
compare() {
  "$venv/bin/python" - runs/slurm-one runs/slurm-split <<'PY'
import glob, json, sys
import pyarrow.parquet as pq

one, split = sys.argv[1:]
def rows(folder):
    return {tuple(sorted(r.items())) for f in sorted(glob.glob(f"{folder}/*.parquet"))
            for r in pq.read_table(f).to_pylist()}
failed = False
for part in ["corpus", "corpus/rejected"]:
    a, b = rows(f"{one}/{part}"), rows(f"{split}/{part}")
    print(f"{part}: {len(a)} rows by one process, {len(b)} by the tasks, "
          f"{'the same' if a == b else f'{len(a ^ b)} differ'}")
    failed |= a != b
stats = [json.load(open(f"{d}/corpus/stats.json")) for d in (one, split)]
print("corpus/stats.json:", "the same" if stats[0] == stats[1] else "DIFFERENT")
same = open(f"{one}/tokenizer/tokenizer.json", "rb").read() == open(f"{split}/tokenizer/tokenizer.json", "rb").read()
print("tokenizer/tokenizer.json:", "byte-identical" if same else "DIFFERENT")
sys.exit(1 if failed or stats[0] != stats[1] or not same else 0)
PY
}
compare

step "a task fails: the stage fails naming it"
rm -rf runs/slurm-split/tokenizer
if MEKONG_FAIL_TASK=tokenizer:count:1 "$mekong" run "$split" --only corpus,tokenizer \
  --executor slurm --tasks 3 2> fault.log; then
  echo "the run with a failing task succeeded" >&2; exit 1
fi
grep -E "failed" fault.log

step "the rerun submits only that task"
"$mekong" run "$split" --only corpus,tokenizer --executor slurm --tasks 3 2> rerun.log
cat rerun.log | grep -E "kept|job array|cached"
grep -q "5 tasks completed by an earlier run are kept" rerun.log
grep -q "step count: job array .* (1 task)" rerun.log
if grep -q "step measure: job array" rerun.log; then
  echo "the measure tasks were submitted again" >&2; exit 1
fi
compare
rm -f fault.log rerun.log "$one" "$split"
echo
echo "test-slurm: all checks passed"
