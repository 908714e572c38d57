#!/usr/bin/env bash
# workload_run.t - workload/guest in the lab (NPT): the issue's "done when"
# command, its report (memslots, per-vCPU throughput, KVM stats), the truth
# file, --slot-churn, --quiet, --backing thp/shared, and clear errors in the lab,
# including a guest exception, reported through the guest's IDT.
source "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

lab_required

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

script='G=workload/guest; O=$LAB_OUT
$G --mem 256M --vcpus 2 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30 --seconds 5 --truth $O/truth >$O/done.out 2>$O/done.err; echo $? >$O/done.rc
$G --mem 16M --vcpus 2 --seconds 1.5 --slot-churn=50 --interval 0 >$O/churn.out 2>$O/churn.err; echo $? >$O/churn.rc
$G --mem 64M --vcpus 1 --seconds 1 --backing thp --interval 0 >$O/thp.out 2>$O/thp.err; echo $? >$O/thp.rc
$G --mem 16M --vcpus 3 --seconds 1 --backing shared --pattern zipf:s=1.1 --mix r=60,w=30,x=10 --interval 0 >$O/shared.out 2>$O/shared.err; echo $? >$O/shared.rc
$G --mem 16M --vcpus 2 --seconds 2 --quiet >$O/quiet.out 2>$O/quiet.err; echo $? >$O/quiet.rc
$G --mem 16M --seconds 1 --node 7 >$O/node.out 2>$O/node.err; echo $? >$O/node.rc
$G --mem 16M --seconds 1 --kvm-dev /dev/nokvm >$O/nokvm.out 2>$O/nokvm.err; echo $? >$O/nokvm.rc
for f in ud pf gp; do $G --mem 16M --vcpus 2 --seconds 1 --interval 0 --fault $f >$O/fault_$f.out 2>$O/fault_$f.err; echo $? >$O/fault_$f.rc; done'

run_lab() { lab/run --timeout 300 --out "$out" -- sh -c "$script" >"$out/lab.log" 2>&1; }
lab_run_ok "$out/lab.log" "lab run" run_lab || { done_testing; exit 1; }


# --- the "done when" command ---
is "$(cat "$out/done.rc")" 0 "256M hotcold run exits 0"
sed 's/^/# /' "$out/done.err"
o=$(cat "$out/done.out")
like "$o" '^memslot slot=0 gpa=0x0 gfn_start=0 gfn_end=[0-9]+ npages=[0-9]+ size=[0-9]+ hva=0x[0-9a-f]+ flags=0x0 backing=anon$' \
	"prints the RAM memslot (gfn range, hva)"
like "$o" '^region kind=data gfn_start=0 gfn_end=65536$' "data region is 65536 frames"
for v in 0 1; do
	line=$(grep "^vcpu id=$v " <<<"$o")
	like "$line" "^vcpu id=$v tid=[0-9]+ accesses=[0-9]+ .*seconds=[0-9.]+ rate=[0-9]+ " "vCPU $v throughput line"
	rate=$(kv_in rate "$line") secs=$(kv_in seconds "$line")
	gt "${rate:-0}" 1000 "vCPU $v: rate $rate accesses/s > 1000"
	awk -v s="$secs" 'BEGIN { exit !(s > 4.5 && s < 6) }'
	ok $? "vCPU $v: measured $secs s of guest time"
	reads=$(kv_in reads "$line") writes=$(kv_in writes "$line") acc=$(kv_in accesses "$line")
	is "$((reads + writes))" "$acc" "vCPU $v: reads + writes = accesses"
	awk -v r="$reads" -v a="$acc" 'BEGIN { exit !(r / a > 0.67 && r / a < 0.73) }'
	ok $? \
		"vCPU $v: read share $(awk -v r="$reads" -v a="$acc" 'BEGIN { printf "%.3f", r / a }') ~ 0.70"
done
like "$o" '^vcpu_thread id=1 tid=[0-9]+$' "names the vCPU threads"
like "$o" '^vm_stat\.pages_4k=[1-9][0-9]*$' "KVM VM stats (pages_4k)"
like "$o" '^vm_stat\.remote_tlb_flush=[0-9]+$' "KVM VM stats (remote_tlb_flush)"
like "$o" '^vcpu_stat\.exits=[1-9][0-9]*$' "KVM vCPU stats (exits)"
like "$o" '^vcpu_stat\.io_exits=2$' "one port-I/O exit per vCPU (the final report)"
like "$o" '^tick t=1\.[0-9]+ vcpu=0 accesses=[0-9]+ rate=[0-9]+$' "per-second tick lines"
t=$out/truth
is "$(sed -n 's/^# hot_frames=//p' "$t")" 6554 "truth header: 6554 hot frames"
is "$(awk '/^[0-9]/ && $4 == 1' "$t" | wc -l | tr -d ' ')" 6554 "truth: 6554 frames marked hot"
is "$(grep -c '^[0-9]' "$t")" 65536 "truth: one line per data frame"

# --- --slot-churn ---
is "$(cat "$out/churn.rc")" 0 "--slot-churn run exits 0"
sed 's/^/# churn stderr: /' "$out/churn.err"
o=$(cat "$out/churn.out")
like "$o" '^memslot slot=1 .* churn=1 interval_ms=50$' "extra memslot printed"
line=$(grep '^slot_churn ' <<<"$o")
adds=$(kv_in adds "$line")
ge "${adds:-0}" 5 "slot 1 added and removed repeatedly ($line)"
is "$(kv_in failed "$line")" 0 "no memslot change failed"

# --- backings ---
is "$(cat "$out/thp.rc")" 0 "--backing thp run exits 0"
like "$(cat "$out/thp.out")" '^vm_stat\.pages_2m=[1-9]' "thp: KVM maps 2M pages"
is "$(cat "$out/shared.rc")" 0 "--backing shared, 3 vCPUs, zipf with execute accesses"
line=$(grep '^vcpu id=2 ' "$out/shared.out")
gt "$(kv_in execs "$line")" 0 "execute accesses ran ($(kv_in execs "$line"))"

# --- --quiet: no region, tick or statistics lines; the report stays ---
is "$(cat "$out/quiet.rc")" 0 "--quiet run exits 0"
o=$(cat "$out/quiet.out")
unlike "$o" '^(region|tick|vm_stat\.|vcpu_stat\.)' "--quiet: no region, tick, vm_stat or vcpu_stat lines"
like "$o" '^total vcpus=2 accesses=[1-9][0-9]* ' "--quiet: the total line stays"
is "$(grep -c '^vcpu id=' <<<"$o")" 2 "--quiet: one vcpu line per vCPU"
le "$(wc -l <<<"$o")" 10 "--quiet: at most 10 lines for 2 vCPUs ($(wc -l <<<"$o"))"

# --- errors, in the lab ---
[ "$(cat "$out/node.rc")" -ne 0 ]
ok $? "--node 7 fails"
like "$(cat "$out/node.err")" 'no such NUMA node' "--node 7: clear message"
[ "$(cat "$out/nokvm.rc")" -ne 0 ]
ok $? "missing KVM device fails"
like "$(cat "$out/nokvm.err")" 'cannot open /dev/nokvm' "missing KVM device: clear message"

# --- guest exceptions: the IDT reports them instead of a triple fault ---
for f in ud pf gp; do
	is "$(cat "$out/fault_$f.rc")" 1 "--fault $f: the run fails (exit 1)"
done
like "$(cat "$out/fault_ud.err")" '^guest: vCPU 0: guest exception vector=6 \(#UD\) error=0x0 rip=0x[0-9a-f]+ \(code\) cs=0x8 ' \
	"--fault ud: #UD reported with its RIP in the code region"
like "$(cat "$out/fault_pf.err")" '^guest: vCPU 0: guest exception vector=14 \(#PF\) error=0x0 rip=0x[0-9a-f]+ \(code\) .* rsp=0x[0-9a-f]+ \(stack\) cr2=0x[0-9a-f]+ \(outside\) ' \
	"--fault pf: #PF reported with error code, RIP, RSP and CR2"
like "$(cat "$out/fault_gp.err")" '^guest: vCPU 0: guest exception vector=13 \(#GP\) error=0x0 ' \
	"--fault gp: #GP reported"
like "$(cat "$out/fault_pf.err")" '^guest: vCPU 0: registers rax=0x[0-9a-f]+ rbx=' "registers at the exception"
like "$(cat "$out/fault_pf.err")" '^guest: system area check: intact ' "system area checked after the failure"
like "$(cat "$out/fault_pf.out")" '^vcpu id=1 .* state=done$' "the other vCPU still finishes"

done_testing
