#!/usr/bin/env bash
# kvmstat_truth.t - kvmstat against exits whose number is known: the guest
# with --exits N makes N port OUTs, N MMIO writes, N HLTs and N hypercalls
# on vCPU 0 (workload/guest_code.c, known_exits), and its VMM counts every
# exit that reaches it. Binary stats and debugfs must count exactly N of
# each (io_exits, mmio_exits, halt_exits, hypercalls), and the tracepoints'
# child events over the guest's life exactly what the VMM saw
# (kvm_exit(IOIO), kvm_exit(HLT), kvm_exit(VMMCALL), kvm_userspace_exit(IO),
# kvm_userspace_exit(MMIO), kvm_userspace_exit(HLT)).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required
scratch_dir
O=$tmp/out
N=1000
run_lab() {
	lab_run_sh "$O" '
K=kvmstat/kvmstat
TP="kvm_exit\((IOIO|HLT|VMMCALL)\)|kvm_userspace_exit\((IO|MMIO|HLT)\)"
$K -t -l -c -s 1 -f "$TP" >$O/tp.csv 2>$O/tp.err & k=$!
# Opening the counters enables static keys: slow under TCG. Wait for the
# first record, so that they count from the guest'"'"'s start. (tp.csv may
# not exist yet: the background job creates it. A failed wc once ended
# this wait at once, and the counters missed the guest'"'"'s first OUTs.)
i=0
while [ $i -lt 120 ] && [ "$(wc -l 2>/dev/null <$O/tp.csv || echo 0)" -lt 2 ]; do sleep 1; i=$((i + 1)); done
echo $i >$O/tp.wait
workload/guest --mem 16M --vcpus 2 --seconds 6 --exits '$N' >$O/guest.out 2>&1 & g=$!
while ! grep -q "^tick" $O/guest.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
$K -p $g -b -d -i -1 -f "io_exits$|mmio_exits$|halt_exits$|hypercalls$" >$O/stats.txt 2>$O/stats.err
echo $? >$O/stats.rc
wait $g; echo $? >$O/guest.rc
sleep 3
kill $k; wait $k; echo $? >$O/tp.rc
' >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the lab run succeeds with a clean dmesg" run_lab

rc() { cat "$O/$1.rc" 2>/dev/null; }
lt "$(cat "$O/tp.wait" 2>/dev/null || echo 999)" 120 "the tracepoint counters gave their first record before the guest started"
is "$(rc guest)" 0 "the guest with --exits $N runs to its end"
summary=$(grep '^exits ' "$O/guest.out")
like "$summary" "^exits asked=$N io=$((N + 2)) mmio=$N hlt=$N hypercalls_asked=$N$" \
	"its VMM saw N OUTs plus one GUEST_PORT_DONE per vCPU, N MMIO and N HLT exits"

# Binary stats and debugfs, read while the guest runs (after its exits,
# before its vCPUs' GUEST_PORT_DONE): exactly N of each.
is "$(rc stats)" 0 "kvmstat -b -d -i -1 succeeds"
stat() { awk -v n="$1" '$1 == n { print $2 }' "$O/stats.txt"; }
for s in io_exits mmio_exits halt_exits hypercalls; do
	for src in binary debugfs; do
		is "$(stat "$s@$src")" "$N" "$s from $src: exactly the guest's $N"
	done
done

# Tracepoints over the guest's whole life: the sum of the CSV's deltas.
is "$(rc tp)" 0 "the tracepoint log ends on SIGTERM"
total() {
	awk -F, -v n="$1" 'NR == 1 { for (i = 2; i <= NF; i++) if ($i == n) c = i; next }
		c { s += $c } END { print c ? s + 0 : "none" }' "$O/tp.csv"
}
is "$(total 'kvm_exit(IOIO)')" $((N + 2)) "kvm_exit(IOIO): every OUT the VMM saw"
is "$(total 'kvm_userspace_exit(IO)')" $((N + 2)) "kvm_userspace_exit(IO): the same OUTs, as they reach the VMM"
is "$(total 'kvm_userspace_exit(MMIO)')" "$N" "kvm_userspace_exit(MMIO): the N MMIO writes"
is "$(total 'kvm_exit(HLT)')" "$N" "kvm_exit(HLT): the N HLTs"
is "$(total 'kvm_userspace_exit(HLT)')" "$N" "kvm_userspace_exit(HLT): each reaches the VMM (no in-kernel LAPIC)"
is "$(total 'kvm_exit(VMMCALL)')" "$N" "kvm_exit(VMMCALL): the N hypercalls, which never reach the VMM"
done_testing
