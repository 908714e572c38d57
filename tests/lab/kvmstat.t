#!/usr/bin/env bash
# kvmstat.t - kvmstat in the lab, on workload/guest (2 vCPUs), which keeps
# its VM and vCPU stats fds open as QEMU keeps its vCPUs':
# - binary stats and debugfs, read in the same rounds (-b -d -i: totals
#   since the VM's start), agree on the counters they share within 2% (+20
#   events): the reads are a few hundred microseconds apart while the
#   guest runs;
# - the per-vCPU values (--vcpu --json) sum to the VM's total, and there
#   are as many vCPU columns as the guest has vCPUs;
# - histogram statistics are read (32 log buckets each) and drawn when a
#   halting guest (tiny_guest, HLT) gave them data;
# - the CSV log has kvm_stat's banner and numeric rows, and ends cleanly,
#   saying so, when the VM exits; without -p it goes on, and finds a VM
#   started later;
# - tracepoints (-t, of the VMM's threads) count kvm_exit as binary stats
#   count exits, within 5% + 20; the seed's unit-file line
#   (kvm_stat -dtcz -s 10 -L FILE) works unchanged, with -s 1;
# - a VMM without stats fds (tests/progs/tiny_guest) falls back to debugfs;
# - errors: a pid that does not exist, a pid that is no VMM, no ptrace
#   rights (kernel.yama.ptrace_scope=3: pidfd_getfd gets EPERM), debugfs
#   unmounted; each a clear message and exit 1.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required
scratch_dir
O=$tmp/out
run_lab() {
	lab_run_sh "$O" '
K=kvmstat/kvmstat
SHARED="exits$|pf_taken$|pf_fixed$|halt_exits$|io_exits$|mmio_exits$|hypercalls$|irq_exits$|insn_emulation$"
workload/guest --mem 32M --vcpus 2 --seconds 32 >$O/guest.out 2>&1 & g=$!
sleep 3
$K -b -l -c -s 1 -f "exits$" >$O/rescan.csv 2>$O/rescan.err & r=$!
$K -p $g -b -d -i -1 -f "$SHARED" >$O/both.txt 2>$O/both.err; echo $? >$O/both.rc
$K -p $g -b -d -1 -f "$SHARED" >$O/delta.txt 2>$O/delta.err; echo $? >$O/delta.rc
$K -p $g -b -1 --vcpu --json -f "exits$|pf_taken$" >$O/vcpu.json 2>$O/vcpu.err; echo $? >$O/vcpu.rc
$K -p $g -b -d -1 --openmetrics --vcpu >$O/om.txt 2>$O/om.err; echo $? >$O/om.rc
$K -p $g -b -d -1 --prometheus >$O/prom.txt 2>$O/prom.err; echo $? >$O/prom.rc
$K -p $g -1 -f help >$O/help.txt 2>&1
$K -p $g -b -t -1 -f "exits$|kvm_exit$|kvm_entry$" >$O/trace.txt 2>$O/trace.err; echo $? >$O/trace.rc
for src in b d; do
	$K -p $g -$src -l -s 0.1 >/dev/null 2>&1 & k=$!
	sleep 5
	cat /proc/$k/stat >$O/cost_$src.stat
	kill $k; wait $k
done
$K -p $g -l -c -s 1 -f "exits$|pf_" >$O/log.csv 2>$O/log.err; echo $? >$O/log.rc
wait $g; echo $? >$O/guest.rc
# g3 lives longer than two rescans (5 s apart), so one of them sees it.
workload/guest --mem 16M --vcpus 1 --seconds 12 >/dev/null 2>&1 & g3=$!
echo $g $g3 >$O/rescan.pids
sleep 1
$K -p $g3 -t -l -s 1 -f "kvm_exit$" >$O/tlog.txt 2>$O/tlog.err & tl=$!
sleep 7
kill $r; wait $r; echo $? >$O/rescan.rc
wait $g3
i=0
while [ $i -lt 20 ] && kill -0 $tl 2>/dev/null; do sleep 1; i=$((i + 1)); done
kill $tl 2>/dev/null && echo "still running" >>$O/tlog.err
wait $tl; echo $? >$O/tlog.rc
# Child events, --check and --exit-reasons, on a guest of their own
# (opening every child counter takes seconds under TCG).
workload/guest --mem 32M --vcpus 2 --seconds 300 >$O/guest5.out 2>&1 & g=$!
sleep 3
$K -p $g -t -1 -f "kvm_exit" >$O/child.txt 2>$O/child.err; echo $? >$O/child.rc
$K -p $g -t -1 -f "kvm_exit\(NPF" >$O/childf.txt 2>$O/childf.err; echo $? >$O/childf.rc
$K -p $g --check -s 2 >$O/check.txt 2>$O/check.err; echo $? >$O/check.rc
$K -p $g -b -1 -i -f "exits$" >$O/ex0.txt 2>&1
$K -p $g --exit-reasons -1 -s 3 >$O/exits.txt 2>$O/exits.err; echo $? >$O/exits.rc
$K -p $g -b -1 -i -f "exits$" >$O/ex1.txt 2>&1
$K -p $g --exit-reasons -1 --json >$O/exits.json 2>$O/exitsj.err; echo $? >$O/exitsj.rc
kill $g; wait $g
# The unit-file line: opening and closing all kvm tracepoints on every CPU
# takes seconds under TCG (each enables a static key), so wait for records.
workload/guest --mem 16M --vcpus 1 --seconds 100 >/dev/null 2>&1 & g4=$!
date +%s >$O/unit.t0
$K -dtcz -s 1 -L $O/unit.csv 2>$O/unit.err & u=$!
i=0
while [ $i -lt 90 ] && [ "$(wc -l <$O/unit.csv 2>/dev/null || echo 0)" -lt 3 ]; do
	sleep 1; i=$((i + 1))
done
date +%s >$O/unit.t1
kill $u; wait $u; echo $? >$O/unit.rc
date +%s >$O/unit.t2
kill $g4; wait $g4
tests/progs/tiny_guest 2000000000 >/dev/null 2>&1 & t=$!
sleep 2
$K -p $t -1 -f "exits$|halt" >$O/tiny.txt 2>$O/tiny.err; echo $? >$O/tiny.rc
$K -d -1 -i -f "halt_exits$" >$O/dtotal.txt 2>&1
kill $t; wait $t
$K -p 99999 -1 >$O/nopid.txt 2>&1; echo $? >$O/nopid.rc
sleep 30 & s=$!
$K -p $s -b -1 >$O/novmm.txt 2>&1; echo $? >$O/novmm.rc
$K -p $s -d -1 >$O/novmm_d.txt 2>&1; echo $? >$O/novmm_d.rc
kill $s
workload/guest --mem 16M --vcpus 1 --seconds 8 >/dev/null 2>&1 & g=$!
sleep 2
if [ -w /proc/sys/kernel/yama/ptrace_scope ]; then
	echo 3 >/proc/sys/kernel/yama/ptrace_scope
	$K -p $g -b -1 >$O/eperm.txt 2>&1; echo $? >$O/eperm.rc
	$K -p $g -1 -f "exits$" >$O/eperm_dflt.txt 2>&1; echo $? >$O/eperm_dflt.rc
fi
umount /sys/kernel/debug/tracing 2>/dev/null; umount /sys/kernel/debug
$K -d -1 >$O/nodfs.txt 2>&1; echo $? >$O/nodfs.rc
wait $g
' >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the lab run succeeds with a clean dmesg" run_lab

rc() { cat "$O/$1.rc" 2>/dev/null; }

# Binary and debugfs, same rounds: NAME -> binary, debugfs (column C of
# FILE: 2 the total, 3 the delta over the second).
pair() { awk -v n="$1" -v c="$3" '$1 == n "@binary" { b = $c } $1 == n "@debugfs" { d = $c }
	END { if (b != "" && d != "") print b, d }' "$O/$2.txt"; }
agree() {
	local what=$1 file=$2 col=$3 n b d diff lim
	for n in exits pf_taken pf_fixed halt_exits io_exits mmio_exits hypercalls irq_exits insn_emulation; do
		read -r b d <<<"$(pair $n "$file" "$col")"
		if [ -z "$b" ]; then
			ok 1 "$what: $n: both sources have it"
			continue
		fi
		diff=$(( b > d ? b - d : d - b ))
		lim=$(( (b > d ? b : d) / 50 + 20 ))
		le "$diff" "$lim" "$what: $n: binary $b, debugfs $d: within 2% + 20"
	done
}
is "$(rc both)" 0 "kvmstat -b -d -i -1 succeeds"
agree "totals since the VM's start" both 2
is "$(rc delta)" 0 "kvmstat -b -d -1 succeeds"
agree "deltas over one second" delta 3
read -r b d <<<"$(pair exits both 2)"
ge "${b:-0}" 1000 "the guest made exits (binary: ${b:-none})"
read -r b d <<<"$(pair exits delta 3)"
ge "${b:-0}" 100 "exits in the second (binary: ${b:-none})"

# Tracepoints of the VMM's threads against binary stats, same rounds:
# kvm_exit fires in svm_handle_exit, so fastpath re-entries count in
# exits only (none expected from this guest).
is "$(rc trace)" 0 "kvmstat -b -t -1 succeeds"
tcol() { awk -v n="$1" '$1 == n { print $3 }' "$O/trace.txt"; }
te=$(tcol exits) tk=$(tcol kvm_exit) tn=$(tcol kvm_entry)
ge "${tk:-0}" 100 "kvm_exit counted over the second (${tk:-none})"
diff=$(( ${te:-0} > ${tk:-0} ? ${te:-0} - ${tk:-0} : ${tk:-0} - ${te:-0} ))
le "$diff" $(( ${te:-0} / 20 + 20 )) "exits (binary, ${te:-none}) and kvm_exit (tracepoint, ${tk:-none}) within 5% + 20"
diag "the second: exits=$te kvm_exit=$tk kvm_entry=$tn"
# The seed's unit-file line, unchanged: debugfs and tracepoints in a CSV.
is "$(rc unit)" 0 "kvm_stat's unit-file line (-dtcz -s 10 -L FILE, here -s 1) runs and ends on SIGTERM"
uh=$(head -n 1 "$O/unit.csv" 2>/dev/null)
like "$uh" '^timestamp,.*,exits,.*,kvm_exit,' "its CSV has debugfs's exits and the kvm_exit tracepoint, names as kvm_stat's"
unlike "$uh" '@' "... without source suffixes (no name is in both)"
ge "$(awk -F, 'NR > 1 && $0 ~ /^[0-9-]+ [0-9:]+(,[0-9]+)+$/' "$O/unit.csv" | wc -l)" 2 "... and numeric records"
t0=$(cat "$O/unit.t0" 2>/dev/null) t1=$(cat "$O/unit.t1" 2>/dev/null) t2=$(cat "$O/unit.t2" 2>/dev/null)
diag "unit-file line: two records after $((t1 - t0)) s, ended $((t2 - t1)) s after SIGTERM"

# Per vCPU: as many columns as vCPUs, summing to the total.
is "$(rc vcpu)" 0 "kvmstat --vcpu --json succeeds"
json=$(cat "$O/vcpu.json" 2>/dev/null)
for n in exits pf_taken; do
	obj=$(printf '%s\n' "$json" | grep -o "{\"name\":\"$n\"[^}]*}[^}]*}")
	total=$(printf '%s\n' "$obj" | sed -n 's/.*"value":\([0-9]*\).*/\1/p')
	cols=$(printf '%s\n' "$obj" | sed -n 's/.*"vcpus":{\([^}]*\)}.*/\1/p' | tr ',' '\n')
	is "$(printf '%s\n' "$cols" | grep -c '^"vcpu[0-9]*":')" 2 "$n: two vCPU columns, as the guest has vCPUs"
	sum=$(printf '%s\n' "$cols" | sed 's/.*://' | awk '{ s += $1 } END { print s + 0 }')
	is "$sum" "${total:-x}" "$n: the per-vCPU values sum to the total ($total)"
done
ge "$(printf '%s\n' "$json" | sed -n 's/.*{"name":"exits"[^}]*"value":\([0-9]*\).*/\1/p')" 100 \
	"exits over the second, per-vCPU run"

# Metrics of the real VM, checked here on the host: OpenMetrics by its
# reference parser, the Prometheus format by promtool.
is "$(rc om)" 0 "kvmstat -b -d -1 --openmetrics --vcpu succeeds"
om=$(/usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
for f in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in f.samples:
        print(f.name, f.type, s.name, ",".join(k + "=" + v for k, v in sorted(s.labels.items())), s.value)
' "$O/om.txt" 2>&1); st=$?
is "$st" 0 "OpenMetrics' reference parser accepts the VM's metrics" || diag "$(printf '%s\n' "$om" | tail -n 3)"
is "$(printf '%s\n' "$om" | grep -c '^kvm_exits counter kvm_exits_total pid=[0-9]*,source=binary,vcpu=vcpu[01] ')" 2 \
	"exits per vCPU of the VM, from binary stats"
like "$om" '^kvm_exits counter kvm_exits_total pid=[0-9]*,source=debugfs ' "... and the VM's total from debugfs, in the same family"
like "$om" '^kvm_halt_wait_hist_seconds histogram kvm_halt_wait_hist_seconds_bucket le=\+Inf,pid=[0-9]*,source=binary ' \
	"halt_wait_hist as a histogram in seconds"
like "$om" '^kvm_pages_4k gauge ' "pages_4k as a gauge"
if [ -x lab/cache/tools/promtool ]; then
	is "$(rc prom)" 0 "kvmstat -b -d -1 --prometheus succeeds"
	lint=$(lab/cache/tools/promtool check metrics <"$O/prom.txt" 2>&1); st=$?
	is "$st" 0 "promtool check metrics accepts the VM's metrics${lint:+: $(printf '%s' "$lint" | head -n 3)}"
else
	skip 2 "no promtool (lab/setup unpacks it from Debian's prometheus package)"
fi

# Child events: kvm_exit split by exit reason, as kvm_stat's.
is "$(rc child)" 0 "kvmstat -t -1 -f kvm_exit (child events) succeeds"
parent=$(awk '$1 == "kvm_exit" { print $3 }' "$O/child.txt")
kids=$(awk '$1 ~ /^kvm_exit\(/ { s += $3 } END { print s + 0 }' "$O/child.txt")
nkids=$(awk '$1 ~ /^kvm_exit\(/ { n++ } END { print n + 0 }' "$O/child.txt")
busy=$(awk '$1 ~ /^kvm_exit\(/ && $3 > 0 { printf "%s%s=%s", sep, $1, $3; sep = " " }' "$O/child.txt")
ge "$nkids" 50 "a child per SVM exit reason ($nkids)"
ge "${parent:-0}" 100 "kvm_exit counted over the second (${parent:-none})"
diff=$(( ${parent:-0} > kids ? ${parent:-0} - kids : kids - ${parent:-0} ))
le "$diff" $(( ${parent:-0} / 50 + 20 )) "the children ($kids) sum to the parent (${parent:-none}) within 2% + 20"
diag "exit reasons in the second: $busy"
like "$busy" 'kvm_exit\((NPF|HLT|INTR|IOIO|MSR|VINTR)\)' "the exits are NPF, HLT, INTR, IOIO, MSR or VINTR ones"
is "$(rc childf)" 0 "kvmstat -t -1 -f 'kvm_exit\(NPF' succeeds"
is "$(awk '{ print $1 }' "$O/childf.txt" | sort | paste -sd' ')" "kvm_exit kvm_exit(NPF)" \
	"a child that -f selects pulls in its parent, and only it"

# --check: the sources side by side, by kvmstat itself.
is "$(rc check)" 0 "kvmstat --check -s 2: the sources agree (exit 0)" || diag "$(cat "$O/check.txt" "$O/check.err")"
chk=$(cat "$O/check.txt")
for st in exits halt_exits io_exits irq_exits; do
	like "$chk" "^$st +[0-9]+ +[0-9]+ +[0-9]+  kvm_exit[(A-Z_)]* +yes$" "--check compares $st in the three sources"
done
like "$chk" '^tolerance: ' "... and states its tolerance"
diag "$(sed -n '2,14p' "$O/check.txt")"

# Exit reasons with their times, between two reads of exits (binary).
is "$(rc exits)" 0 "kvmstat --exit-reasons -1 -s 3 succeeds"
hdr=$(head -n 1 "$O/exits.txt")
like "$hdr" '^VM exits of the VMM: [0-9]+ exits in 3\.[0-9]+ s, 0 lost records, 0 exits without their entry$' \
	"a header with the count, the window, no lost record and none unpaired"
n=$(printf '%s\n' "$hdr" | awk '{ print $6 }')
e0=$(awk '$1 == "exits" { print $2 }' "$O/ex0.txt") e1=$(awk '$1 == "exits" { print $2 }' "$O/ex1.txt")
ge "${n:-0}" 100 "exits sampled over 3 s (${n:-none})"
le "${n:-0}" $(( ${e1:-0} - ${e0:-0} )) "no more than the exits the VM made meanwhile ($(( ${e1:-0} - ${e0:-0} )))"
ge "$(( ${n:-0} * 10 ))" $(( (${e1:-0} - ${e0:-0}) * 3 )) "... and at least 3/10 of them (the window is 3 s of about 6)"
rows=$(awk 'NR > 2 && NF == 7 && $2 ~ /^[0-9]+$/' "$O/exits.txt")
like "$rows" '^(INTR|NPF|HLT|IOIO|MSR|VINTR) ' "the reasons are SVM's, named as kvm_stat names them"
unlike "$rows" '^0x' "no reason without a name"
is "$(printf '%s\n' "$rows" | awk '{ c += $2 } END { print c + 0 }')" "${n:-x}" "the rows' counts sum to the total"
share=$(printf '%s\n' "$rows" | awk '{ s += $3; t += $4 } END { printf "%.0f %.0f", s, t }')
is "$share" "100 100" "shares of the count and of the time each sum to 100%"
is "$(printf '%s\n' "$rows" | awk '!($5 <= $6 && $6 <= $7)' | wc -l)" 0 "min <= mean <= max in every row"
like "$(cat "$O/exits.txt")" ': time from kvm_exit to kvm_entry \(ns\)$' "-1 draws a latency histogram per reason"
like "$(cat "$O/exits.txt")" '^ *value \|-+ count$' "... in SystemTap's style"
diag "$(sed -n '2,6p' "$O/exits.txt")"
is "$(rc exitsj)" 0 "kvmstat --exit-reasons -1 --json succeeds"
like "$(cat "$O/exits.json")" '^\{"interval_s":[0-9.]+,"exits":[0-9]+,"lost":0,"unpaired":0,"reasons":\[\{"name":"[A-Z_]+","code":[0-9]+,"count":[0-9]+,"time_ns":[0-9]+' \
	"... one JSON object with every reason"

# Fields.
like "$(cat "$O/help.txt")" '^  halt_wait_hist$' "-f help lists halt_wait_hist"
like "$(cat "$O/help.txt")" '^  exits$' "-f help lists exits"

# CSV log until the VM exits.
is "$(rc log)" 0 "the CSV log ends with status 0 when the VM exits"
like "$(cat "$O/log.err")" 'the VM of pid [0-9]+ has exited' "it says the VM exited"
head=$(head -n 1 "$O/log.csv")
like "$head" '^timestamp(,[a-z0-9_]+)+$' "the CSV banner is kvm_stat's: timestamp,NAME,..."
like "$head" ',exits,' "the banner has exits"
nf=$(awk -F, 'NR == 1 { print NF }' "$O/log.csv")
rows=$(awk -F, -v nf="$nf" 'NR > 1 && NF == nf && $1 ~ /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$/ {
	for (i = 2; i <= NF; i++) if ($i !~ /^[0-9]+$/) next; n++ } END { print n + 0 }' "$O/log.csv")
all=$(($(wc -l <"$O/log.csv") - 1))
ge "$rows" 5 "the CSV has numeric records, one a second ($rows)"
is "$rows" "$all" "every CSV record is well formed"
is "$(rc guest)" 0 "the guest ran to its end under kvmstat"

# Without -p: the first VM's exit, a new VM found by the rescan.
read -r p1 p3 <<<"$(cat "$O/rescan.pids" 2>/dev/null)"
is "$(rc rescan)" 0 "the log of all VMs ends cleanly on SIGTERM"
like "$(cat "$O/rescan.err")" "the VM of pid ${p1:-x} has exited; 0 VMs left" "it saw the first VM exit"
like "$(cat "$O/rescan.err")" "a new VM: pid ${p3:-x}, 1 vCPU" "it found the VM started later"
unlike "$(cat "$O/rescan.err")" "no VM left" "... and went on meanwhile"
last=$(tail -n 8 "$O/rescan.csv" | awk -F, '$2 > 0' | wc -l)
ge "$last" 1 "the new VM's exits are in the last records"

# -t -p: tracepoints alone, until the VMM exits.
is "$(rc tlog)" 0 "-t -p logs until the VMM exits, then ends with status 0"
like "$(cat "$O/tlog.err")" "pid ${p3:-x} has exited" "... saying so"
unlike "$(cat "$O/tlog.err")" "still running" "... by itself"
ge "$(awk '$3 > 0' "$O/tlog.txt" | wc -l)" 1 "... with kvm_exit counts"

# A VMM without stats fds: debugfs, said.
is "$(rc tiny)" 0 "kvmstat on a VMM without stats fds succeeds"
like "$(cat "$O/tiny.err")" 'holds no KVM stats fds' "it says why binary stats are not there"
like "$(cat "$O/tiny.txt")" '^exits +[0-9]+ +[0-9]+  debugfs ' "and shows debugfs's exits"
hl=$(awk '$1 == "halt_exits" { print $2 }' "$O/tiny.txt")
diag "tiny_guest: halt_exits=$hl; debugfs totals: $(cat "$O/dtotal.txt" 2>/dev/null | head -n 2 | tr '\n' ' ')"

# Errors.
is "$(rc nopid)" 1 "a pid that does not exist: exit 1"
like "$(cat "$O/nopid.txt")" 'pid 99999: no such process' "... with a clear message"
is "$(rc novmm)" 1 "a pid that is no VMM: exit 1"
like "$(cat "$O/novmm.txt")" 'has no KVM VM open' "... with a clear message"
is "$(rc novmm_d)" 1 "a pid that is no VMM, with -d: exit 1"
like "$(cat "$O/novmm_d.txt")" 'has no VM in debugfs' "... with a clear message"
if [ -f "$O/eperm.rc" ]; then
	is "$(rc eperm)" 1 "no ptrace rights (yama ptrace_scope 3): exit 1"
	like "$(cat "$O/eperm.txt")" 'not allowed to take its KVM file descriptors' "... with a clear message"
	is "$(rc eperm_dflt)" 0 "the default source falls back to debugfs then"
	like "$(cat "$O/eperm_dflt.txt")" '^exits +[0-9]+ +[0-9]+  debugfs ' "... and shows debugfs's exits"
else
	diag "no Yama in the lab kernel: the EPERM case is not tested"
fi
is "$(rc nodfs)" 1 "debugfs not mounted: exit 1"
like "$(cat "$O/nodfs.txt")" 'debugfs is not mounted' "... with a clear message"
# CPU time of kvmstat over about 50 refreshes (-s 0.1 for 5 s), per source.
for src in b d; do
	read -r ut st <<<"$(awk '{ print $14, $15 }' "$O/cost_$src.stat" 2>/dev/null)"
	diag "cost -$src: utime=${ut:-?} stime=${st:-?} ticks (1/100 s) over ~50 refreshes"
done
diag "binary vs debugfs, totals: $(tr -s ' ' <"$O/both.txt" | cut -d' ' -f1,2 | tr '\n' ' ')"
diag "binary vs debugfs, deltas: $(tr -s ' ' <"$O/delta.txt" | cut -d' ' -f1,3 | tr '\n' ' ')"
done_testing
