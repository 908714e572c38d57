#!/usr/bin/env bash
# kvmstat_truth.t - kvmstat against exits whose number is known: the guest
# with --exits N makes N port OUTs, N MMIO writes, N HLTs and N hypercalls
# on vCPU 0 (workload/guest_code.c, known_exits), and its VMM counts every
# exit that reaches it. Binary stats and debugfs must count exactly N of
# each (io_exits, mmio_exits, halt_exits, hypercalls), and the tracepoints'
# child events over the guest's life exactly what the VMM saw
# (kvm_exit(IOIO), kvm_exit(HLT), kvm_exit(VMMCALL), kvm_userspace_exit(IO),
# kvm_userspace_exit(MMIO), kvm_userspace_exit(HLT)).
# Then a guest with --halts H (an in-kernel LAPIC; vCPU 0 halts H times,
# each woken by its LAPIC timer, every 16th after 4 ms): halt_exits must be
# the HLTs it executed, and the halt-polling histograms must hold what
# KVM's own counters say (counts, and bucket bounds around the ns totals).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required
scratch_dir
O=$tmp/out
N=1000
H=400
run_lab() {
	lab_run_sh "$O" '
K=kvmstat/kvmstat
phase() { echo "$1 $(cut -d" " -f1 /proc/uptime)" >>$O/phases.txt; }
phase start
TP="kvm_exit\((IOIO|HLT|VMMCALL)\)|kvm_userspace_exit\((IO|MMIO|HLT)\)"
$K -t -l -c -s 1 -f "$TP" >$O/tp.csv 2>$O/tp.err & k=$!
# Opening the counters enables static keys: slow under TCG. Wait for the
# first record, so that they count from the guest'"'"'s start. (tp.csv may
# not exist yet: the background job creates it. A failed wc once ended
# this wait at once, and the counters missed the guest'"'"'s first OUTs.)
i=0
while [ $i -lt 120 ] && [ "$(wc -l 2>/dev/null <$O/tp.csv || echo 0)" -lt 2 ]; do sleep 1; i=$((i + 1)); done
echo $i >$O/tp.wait
phase tp_ready
workload/guest --mem 16M --vcpus 2 --seconds 6 --exits '$N' >$O/guest.out 2>&1 & g=$!
while ! grep -q "^tick" $O/guest.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
$K -p $g -b -d -i -1 -f "io_exits$|mmio_exits$|halt_exits$|hypercalls$" >$O/stats.txt 2>$O/stats.err
echo $? >$O/stats.rc
wait $g; echo $? >$O/guest.rc
phase exits_guest_done
sleep 3
kill $k; wait $k; echo $? >$O/tp.rc
phase tp_done
workload/guest --mem 16M --vcpus 2 --seconds 4 --halts '$H' >$O/halts.out 2>&1 & g=$!
# A watchdog: a guest that never ticks (a wakeup lost, a stub looping)
# fails its own checks below, not the whole lab run.
(i=0; while [ $i -lt 240 ] && kill -0 $g 2>/dev/null; do sleep 0.5; i=$((i + 1)); done
 kill $g 2>/dev/null) >/dev/null 2>&1 &
while ! grep -q "^tick" $O/halts.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
phase halts_ticked
$K -p $g -b -d -i -1 -f "halt_" >$O/halts.txt 2>$O/halts.err
echo $? >$O/halts.rc
$K -p $g -b -i -1 --json -f "halt_" >$O/halts.json 2>>$O/halts.err
echo $? >$O/halts_json.rc
wait $g; echo $? >$O/hguest.rc
phase halts_guest_done
' >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the lab run succeeds with a clean dmesg" run_lab
diag "phases (lab uptime, s): $(tr '\n' ' ' <"$O/phases.txt" 2>/dev/null)"

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

# --halts: read after vCPU 0's halts (before its first tick), so every
# halt statistic has stopped moving when both sources are read.
is "$(rc hguest)" 0 "the guest with --halts $H runs to its end"
hl=$(grep '^halts ' "$O/halts.out")
like "$hl" "^halts asked=$H hlt=[0-9]+ long=$((H / 16)) " "its report: $H halts asked, every 16th long"
hlt=$(kv_in hlt "$hl")
ok_if "${hlt:-0} >= $H" "vCPU 0 executed at least one HLT per halt (${hlt:-none}: more when a wakeup came before its timer)"
is "$(rc halts)" 0 "kvmstat -b -d -i -1 -f halt_ succeeds"
stat() { awk -v n="$1" '$1 == n { print $2 }' "$O/halts.txt"; }
for src in binary debugfs; do
	is "$(stat "halt_exits@$src")" "$hlt" "halt_exits from $src: every HLT the guest executed, none reaching the VMM"
done
for s in halt_attempted_poll halt_successful_poll halt_wait_ns halt_poll_success_ns halt_poll_fail_ns; do
	is "$(stat "$s@debugfs")" "$(stat "$s@binary")" "$s: debugfs equals binary stats"
done
# The histograms, from --json (binary stats only: debugfs has no buckets).
is "$(rc halts_json)" 0 "kvmstat --json -1 -f halt_ succeeds"
. tests/lib/kvmstat_json.sh
hist_check() {
	kvmstat_json_rows "$O/halts.json" | awk '
		{ v[$1] = $2; nb[$1] = NF - 2; for (i = 3; i <= NF; i++) b[$1, i - 3] = $i }
		# KVM log bucket i holds [2^(i-1), 2^i); 0 holds 0; the last, all above.
		function bounds(h, ns,   i, lo, hi) {
			lo = hi = 0
			for (i = 0; i < nb[h]; i++) {
				lo += b[h, i] * (i ? 2 ^ (i - 1) : 0)
				if (i == nb[h] - 1 && b[h, i])
					hi = -1
				if (hi >= 0)
					hi += b[h, i] * 2 ^ i
			}
			return lo <= v[ns] && (hi < 0 || v[ns] < hi)
		}
		END {
			n = split("halt_poll_success_hist halt_poll_fail_hist halt_wait_hist " \
				  "halt_poll_success_ns halt_poll_fail_ns halt_wait_ns " \
				  "halt_attempted_poll halt_successful_poll halt_exits", need)
			for (i = 1; i <= n; i++)
				if (!(need[i] in v)) {
					print "no " need[i]
					exit 1
				}
			for (i = 21; i < nb["halt_wait_hist"]; i++)
				lw += b["halt_wait_hist", i]
			printf "success=%d fail=%d wait=%d attempted=%d successful=%d exits=%d bounds=%d%d%d long_waits=%d\n",
				v["halt_poll_success_hist"], v["halt_poll_fail_hist"],
				v["halt_wait_hist"], v["halt_attempted_poll"],
				v["halt_successful_poll"], v["halt_exits"],
				bounds("halt_poll_success_hist", "halt_poll_success_ns"),
				bounds("halt_poll_fail_hist", "halt_poll_fail_ns"),
				bounds("halt_wait_hist", "halt_wait_ns"), lw
		}'
}
hc=$(hist_check 2>&1)
diag "halt histograms: $hc"
v() { kv_in "$1" "$hc"; }
like "$hc" '^success=[0-9]+ fail=[0-9]+ wait=[0-9]+ attempted=[0-9]+ successful=[0-9]+ exits=[0-9]+ bounds=[01]{3} long_waits=[0-9]+$' \
	"the JSON holds the three histograms and their counters"
for k in success fail wait attempted successful exits long_waits; do
	printf -v "$k" '%s' "$(v $k)"
	[ -n "${!k}" ] || printf -v "$k" '%s' -1
done
is "${success:-none}" "${successful:-none}" "halt_poll_success_hist holds one entry per successful poll (halt_successful_poll)"
ok_if 'success + fail == attempted && attempted >= 0' \
	"the success and fail histograms together hold every poll (halt_attempted_poll)"
is "$(v bounds)" 111 "each histogram's buckets bound its ns total (halt_poll_success_ns, halt_poll_fail_ns, halt_wait_ns)"
ok_if 'wait + successful <= exits && wait > 0' \
	"halt_wait_hist holds the halts that waited: some, and with the successful polls no more than halt_exits"
ok_if 'long_waits > 0' "halt_wait_hist has waits of 1 ms or more (bucket 21 up), the guest's 4 ms halts"
like "$(cat "$O/halts.txt")" "halt_wait_hist \\(binary, log-hist, ns, $(v wait) in the VMs. life\\)" \
	"kvmstat -1 draws halt_wait_hist with its count"
done_testing
