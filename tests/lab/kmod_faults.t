#!/usr/bin/env bash
# kmod_faults.t - kvm_ept_sample under faults: the guest is killed while
# sampled (the reader gets end of file, and the VM is freed: its KVM
# debugfs directory goes and the memory comes back), rmmod is refused
# while a session is open and works after, memslots change under sampling
# (--slot-churn), and two VMs are sampled at once.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(lab/run --timeout 300 -- sh -c '
	# MemAvailable, plus the free pages parked on the per-CPU lists (the
	# pagesets "count:" of /proc/zoneinfo), which a freed VM fills first.
	memavail() {
		echo $(( $(sed -n "s/^MemAvailable: *\([0-9]*\) kB/\1/p" /proc/meminfo) +
			4 * $(awk "/^ *count: / { n += \$2 } END { print n + 0 }" /proc/zoneinfo) ))
	}
	vms() { ls /sys/kernel/debug/kvm | grep -c -- - ; }
	insmod kmod/kvm_ept_sample.ko || exit 1
	echo "before mem=$(memavail) vms=$(vms)"

	# 1. Kill the guest while a reader blocks on it.
	workload/guest --mem 256M --seconds 60 --interval 0 >/dev/null 2>&1 & g=$!
	sleep 3
	echo "running mem=$(memavail) vms=$(vms)"
	analysis/eptsample -p $g -f 1000 -o /tmp/kill.log 2>/tmp/kill.err & r=$!
	sleep 3
	rmmod kvm_ept_sample 2>/dev/null && echo "rmmod_during=ok" || echo "rmmod_during=refused"
	kill -9 $g
	t=0; while kill -0 $r 2>/dev/null && [ $t -lt 20 ]; do sleep 1; t=$((t + 1)); done
	kill -0 $r 2>/dev/null && echo "reader=stuck" || { wait $r; echo "reader=exited status=$?"; }
	grep -q "the VM is gone" /tmp/kill.err && echo "reader_saw=vm_gone"
	echo "samples_before_kill=$(grep -c ^t= /tmp/kill.log) log_kb=$(du -k /tmp/kill.log | cut -f 1)"
	rm -f /tmp/kill.log	# /tmp is in RAM: the log is not the VM'"'"'s to give back
	sleep 2
	echo "after mem=$(memavail) vms=$(vms)"
	rmmod kvm_ept_sample && echo "rmmod_after=ok"
	insmod kmod/kvm_ept_sample.ko || exit 1

	# 2. Memslots added and removed while sampling.
	workload/guest --mem 32M --seconds 10 --interval 0 --slot-churn=50 >/tmp/churn.out 2>&1 & g=$!
	sleep 2
	analysis/eptsample -p $g -f 2000 -d 5 -o /tmp/churn.log 2>/dev/null; echo "churn_reader=$?"
	wait $g; echo "churn_guest=$?"
	echo "churn_samples=$(grep -c ^t= /tmp/churn.log) $(grep -o "slot_churn[^ ]* [^ ]*" /tmp/churn.out | head -n 1)"

	# 3. Two VMs at once, one session each.
	workload/guest --mem 16M --seconds 10 --interval 0 >/dev/null 2>&1 & g1=$!
	workload/guest --mem 16M --seconds 10 --interval 0 >/dev/null 2>&1 & g2=$!
	sleep 2
	analysis/eptsample -p $g1 -f 500 -d 4 -o /tmp/a.log 2>/dev/null & r1=$!
	analysis/eptsample -p $g2 -f 500 -d 4 -o /tmp/b.log 2>/dev/null & r2=$!
	wait $r1; s1=$?; wait $r2; s2=$?
	echo "two status=$s1,$s2 a=$(grep -c ^t= /tmp/a.log) b=$(grep -c ^t= /tmp/b.log)"
	wait $g1 $g2
	rmmod kvm_ept_sample && echo "rmmod_end=ok"' 2>&1)
st=$?
ok $st "the fault scenarios run with a clean dmesg"
[ $st -eq 0 ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/# /'

field() { printf '%s\n' "$out" | sed -n "s/^$1 .*$2=\([0-9]*\).*/\1/p" | head -n 1; }
like "$out" '^rmmod_during=refused$' "rmmod is refused while a session is open"
like "$out" '^reader=exited status=0$' "the reader ends by itself when the guest is killed"
like "$out" '^reader_saw=vm_gone$' "it reports end of file: the VM is gone"
n=$(printf '%s\n' "$out" | sed -n 's/^samples_before_kill=\([0-9]*\).*/\1/p')
ok_if "${n:-0} >= 100" "it had samples before the kill (${n:-0})"
is "$(field running vms)" "$(($(field before vms) + 1))" "the running guest shows as one KVM VM in debugfs"
is "$(field after vms)" "$(field before vms)" "the VM is freed (no KVM debugfs directory left)"
before=$(field before mem) running=$(field running mem) after=$(field after mem)
diag "MemAvailable kB: before=$before running=$running after=$after (the reader's log, removed first: $(printf '%s\n' "$out" | sed -n 's/^samples_before_kill=.* log_kb=//p') kB)"
ok_if 'before - running >= 200000' "the 256M guest held its memory while running"
ok_if 'before - after <= 4096' "its memory came back after the kill (within 4 MiB)"
like "$out" '^rmmod_after=ok$' "rmmod works once the session has ended"
like "$out" '^churn_reader=0$' "sampling survives memslots being added and removed"
like "$out" '^churn_guest=0$' "the churning guest runs to the end"
n=$(printf '%s\n' "$out" | sed -n 's/^churn_samples=\([0-9]*\).*/\1/p')
ok_if "${n:-0} >= 100" "samples are recorded under memslot churn (${n:-0})"
like "$out" '^two status=0,0 ' "two VMs are sampled at once"
a=$(printf '%s\n' "$out" | sed -n 's/^two .* a=\([0-9]*\) .*/\1/p')
b=$(printf '%s\n' "$out" | sed -n 's/^two .* b=\([0-9]*\)$/\1/p')
ok_if "${a:-0} >= 100 && ${b:-0} >= 100" "both sessions get samples (a=${a:-0} b=${b:-0})"
like "$out" '^rmmod_end=ok$' "the module unloads at the end"
done_testing
