#!/usr/bin/env bash
# kvm_stat.t - kvmstat against the kernel's own kvm_stat (linux-source-6.1,
# run in the lab from the host tools' disk: lab/run --host-tools), on the
# same guest: the same debugfs field names, the same tracepoint names with
# their child events, the same totals of a guest whose exits are known
# (workload/guest --exits), and the CPU time each spends per refresh of a
# VM with 8 vCPUs (printed: speed is an experiment's claim, not a test's).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/cpu_window.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required
[ -r /usr/src/linux-source-6.1.tar.xz ] || skip_all "no linux-source-6.1 (lab/host-packages)"
scratch_dir
O=$tmp/out
N=1000
run_lab() {
	lab_run_sh "$O" '
K=kvmstat/kvmstat
. tests/lib/cpu_window.sh
workload/guest --mem 16M --vcpus 2 --seconds 120 --exits '$N' >$O/guest.out 2>&1 & g=$!
while ! grep -qs "^tick" $O/guest.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
# kvm_stat lists the fields of the VMs there are: with the guest running.
kvm_stat -d -f help >$O/ks_dhelp.txt 2>&1; echo $? >$O/ks_dhelp.rc
$K -d -f help >$O/k_dhelp.txt 2>&1
kvm_stat -t -f help >$O/ks_thelp.txt 2>&1; echo $? >$O/ks_thelp.rc
$K -t -f help >$O/k_thelp.txt 2>&1
F="io_exits|mmio_exits|halt_exits|hypercalls|exits"
kvm_stat -p $g -d -i -1 -f "$F" >$O/ks_d.txt 2>&1; echo $? >$O/ks_d.rc
$K -p $g -d -i -1 -f "$F" >$O/k_d.txt 2>&1; echo $? >$O/k_d.rc
kvm_stat -p $g -t -1 -f "kvm_exit" >$O/ks_t.txt 2>&1; echo $? >$O/ks_t.rc
$K -p $g -t -1 -f "kvm_exit" >$O/k_t.txt 2>&1; echo $? >$O/k_t.rc
kill $g; wait $g
# Cost: CPU time per refresh, 8 vCPUs, every 0.1 s for 10 s, each alone.
workload/guest --mem 16M --vcpus 8 --seconds 200 >/dev/null 2>&1 & g=$!
sleep 5
for t in "kvm_stat_d:kvm_stat -d" "kvmstat_d:$K -d" "kvmstat_b:$K -b"; do
	n=${t%%:*}
	# shellcheck disable=SC2086
	cpu_window $O/cost_$n 10 ${t#*:} -p $g -l -s 0.1
done
kill $g; wait $g
true
' --host-tools --timeout 500 >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the lab run with the host tools succeeds with a clean dmesg" run_lab

rc() { cat "$O/$1.rc" 2>/dev/null; }
names() { sed -n 's/^ *\([a-z0-9_]\+\((.*)\)\?\) *$/\1/p' "$O/$1" | sort -u; }

# Field names: kvm_stat's and ours, for debugfs and for tracepoints.
is "$(rc ks_dhelp)" 0 "kvm_stat -d -f help runs in the lab"
ge "$(names ks_dhelp.txt | wc -l)" 20 "kvm_stat lists debugfs fields ($(names ks_dhelp.txt | wc -l))"
is "$(comm -3 <(names ks_dhelp.txt) <(names k_dhelp.txt) | paste -sd' ')" "" \
	"kvmstat -d lists the same debugfs fields as kvm_stat"
is "$(rc ks_thelp)" 0 "kvm_stat -t -f help runs in the lab"
ge "$(names ks_thelp.txt | wc -l)" 30 "kvm_stat lists the kvm tracepoints ($(names ks_thelp.txt | wc -l))"
# kvm_stat's list names a child event's parent only (its split at "(").
is "$(comm -3 <(names ks_thelp.txt) <(names k_thelp.txt | sed 's/(.*//' | sort -u) | paste -sd' ')" "" \
	"kvmstat -t lists the same tracepoints as kvm_stat"

# Totals since the VM started (-i), read one after the other: the known
# exits are done by then, so those totals are exact in both.
is "$(rc ks_d)" 0 "kvm_stat -p PID -d -i -1 succeeds"
is "$(rc k_d)" 0 "kvmstat -p PID -d -i -1 succeeds"
val() { awk -v n="$2" '$1 == n { print $2 }' "$O/$1"; }
for s in io_exits mmio_exits halt_exits hypercalls; do
	is "$(val ks_d.txt $s) $(val k_d.txt $s)" "$N $N" "$s: kvm_stat and kvmstat both count the guest's $N"
done
a=$(val ks_d.txt exits) b=$(val k_d.txt exits)
ge "${b:-0}" "${a:-x}" "exits: kvmstat's total ($b), read after kvm_stat's ($a), is not lower"
le "$(( ${b:-0} - ${a:-0} ))" 2000 "... and above it by no more than two seconds of exits"

# Child events over one second each: the same names, both counting.
is "$(rc ks_t) $(rc k_t)" "0 0" "kvm_stat -t -1 and kvmstat -t -1 succeed"
col1() { awk '{ print $1 }' "$O/$1" | sort -u; }
ge "$(col1 ks_t.txt | grep -c '^kvm_exit(')" 50 "kvm_stat's records have the child events kvm_exit(REASON)"
is "$(comm -3 <(col1 ks_t.txt) <(col1 k_t.txt) | paste -sd' ')" "" \
	"kvmstat's records have the same kvm_exit and child events as kvm_stat's"
busy() { awk '$1 ~ /^kvm_exit\(/ && $3 > 0 { print $1 }' "$O/$1" | sort; }
like "$(busy ks_t.txt)" '^kvm_exit\(INTR\)$' "kvm_stat counts kvm_exit(INTR)"
like "$(busy k_t.txt)" '^kvm_exit\(INTR\)$' "kvmstat counts kvm_exit(INTR)"
diag "over a second: kvm_stat $(awk '$1 == "kvm_exit(INTR)" { print $3 }' "$O/ks_t.txt") INTR exits, kvmstat $(awk '$1 == "kvm_exit(INTR)" { print $3 }' "$O/k_t.txt")"

# CPU per refresh (printed): utime + stime over the records written in
# the 10 s from the first record on (start-up left out). kvmstat keeps to
# its 0.1 s; kvm_stat, one Python process among 8 busy vCPU threads on 2
# lab CPUs, spends about 0.1 s of CPU a refresh and falls behind (17 in
# 10 s here): it needs only records enough for a cost.
for t in kvm_stat_d:2 kvmstat_d:80 kvmstat_b:80; do
	n=${t%:*} f=$O/cost_${t%:*}
	ticks=$(cpu_window_ticks "$f") recs=$(cpu_window_records "$f")
	ge "${recs:-0}" "${t#*:}" "$n: at least ${t#*:} of the 100 refreshes of 10 s at -s 0.1 ($recs)"
	diag "$n: ${ticks:-?} ticks (1/100 s) over $recs records"
done
done_testing
