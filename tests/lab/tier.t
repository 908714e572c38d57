#!/usr/bin/env bash
# tier.t - eptscope-tier in a 2-node lab (issue 17): a guest whose RAM
# starts on node 1 (the slow node), hotcold 10%/0.9; the daemon with its
# defaults (fast-ratio 0.15, policy rate) for 20 s must bring the share of
# the guest's accesses that fast-node pages serve (the truth's shares,
# read back with move_pages by analysis/placement -g) from 0 to at least
# 0.9 of the oracle's (the truth's hottest frames, up to the capacity),
# and never hold more than the capacity there, moving at most twice the
# capacity in pages (no thrash). Before it, 4 s with
# --max-mbps 1: no interval moves more than 1 MB/s allows. After it, the
# daemon left running ends cleanly when the guest exits. Errors: no
# module loaded, a node that does not exist, a pid that is no VM, a pid
# that does not exist. Then the decay policy on the phases pattern (the
# hot set moves at 12 s): 10 s in, and 12 s after the move, fast_share
# >= 0.8 x the oracle's of the phase (read by placement while tier holds
# the VM's session: the memslots from eptsample -l). The baselines on a
# third guest: random serves about capacity / frames of the accesses, and
# the oracle, run after it, reaches the truth's best. lab/run fails the run
# on any kernel splat in dmesg.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
lab_required
scratch_dir

run() {
	rm -rf "$tmp/o"
	lab/run --numa 2 --vcpus 2 --timeout 500 --out "$tmp/o" -- sh -c '
	O=$LAB_OUT P="analysis/placement -g $LAB_OUT/truth -s" T=tier/tier
	$T -p $$ --fast-node 0 --slow-node 1 >$O/nomod.out 2>&1; echo $? >$O/nomod.st
	$T -p $$ --fast-node 0 --slow-node 2 >$O/nonode.out 2>&1; echo $? >$O/nonode.st
	insmod kmod/kvm_ept_sample.ko || exit 1
	$T -p $$ --fast-node 0 --slow-node 1 >$O/notvm.out 2>&1; echo $? >$O/notvm.st
	workload/guest --mem 64M --node 1 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30 \
		--seconds 40 --warmup --interval 1 --truth $O/truth >$O/guest.out 2>&1 & g=$!
	while ! grep -q "^tick" $O/guest.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
	$P -p $g >$O/before 2>&1 || exit 1
	$T -p $g --fast-node 0 --slow-node 1 --max-mbps 1 --duration 4 >$O/slow.out 2>$O/slow.err || exit 1
	$T -p $g --fast-node 0 --slow-node 1 --duration 20 >$O/tier.out 2>$O/tier.err || exit 1
	$P -p $g >$O/after 2>&1 || exit 1
	$T -p $g --fast-node 0 --slow-node 1 >$O/tail.out 2>$O/tail.err; echo $? >$O/tail.st
	wait $g
	workload/guest --mem 64M --node 1 --pattern phases:every=12,n=2,hot=10%,p=0.9 --mix r=70,w=30 \
		--seconds 26 --warmup --interval 1 --truth $O/truth2 >$O/guest2.out 2>&1 & g=$!
	while ! grep -q "^tick" $O/guest2.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
	analysis/eptsample -p $g -l >$O/ms2 || exit 1
	$T -p $g --fast-node 0 --slow-node 1 -P decay --duration 23 >$O/decay.out 2>$O/decay.err & d=$!
	sleep 10; analysis/placement -m $O/ms2 -g $O/truth2 -s --phase 0 -p $g >$O/decay0 2>&1
	sleep 12; analysis/placement -m $O/ms2 -g $O/truth2 -s --phase 1 -p $g >$O/decay1 2>&1
	wait $d; echo $? >$O/decay.st
	wait $g
	workload/guest --mem 64M --node 1 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30 \
		--seconds 20 --warmup --interval 1 --truth $O/truth3 >$O/guest3.out 2>&1 & g=$!
	while ! grep -q "^tick" $O/guest3.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
	analysis/eptsample -p $g -l >$O/ms3 || exit 1
	$T -p $g --fast-node 0 --slow-node 1 -P random --duration 3 >$O/random.out 2>&1 || exit 1
	analysis/placement -m $O/ms3 -g $O/truth3 -s -p $g >$O/random.after 2>&1
	$T -p $g --fast-node 0 --slow-node 1 -P oracle -g $O/truth3 --duration 3 >$O/oracle.out 2>&1 || exit 1
	analysis/placement -m $O/ms3 -g $O/truth3 -s -p $g >$O/oracle.after 2>&1
	kill $g; wait $g
	$T -p 999999 --fast-node 0 --slow-node 1 >$O/nopid.out 2>&1; echo $? >$O/nopid.st
	dmesg | grep -i -e migrat -e "page allocation" >$O/dmesg.txt; true' >"$tmp/log" 2>&1
}
struck() { lab_struck "$tmp/log" "$tmp/o/guest.out" "$tmp/o/guest2.out" "$tmp/o/guest3.out" "$tmp/o/slow.err"; }
lab_retry run struck
lab_result $? "a guest on node 1, the daemon's runs and the placement checks" \
	"$tmp/log" "$tmp/o/slow.err" "$tmp/o/tier.err"
o=$tmp/o

diag "before: $(cat "$o/before")"
diag "after:  $(cat "$o/after")"
is "$(kv_field fast_share "$o/before")" 0.0000 "before: the fast node serves none of the guest's accesses"
cap=$(kv_field capacity "$o/after")
# The oracle's share: placement's best_share=, what the truth's hottest
# frames of the phase, up to the capacity, would serve.
oracle=$(kv_field best_share "$o/after")
after=$(kv_field fast_share "$o/after")
diag "oracle fast_share at capacity $cap: $oracle; the daemon's: $after"
ok_awk 'o > 0 && a >= 0.9 * o' \
	"after 20 s of the daemon's defaults, fast_share $after >= 0.9 x the oracle's $oracle" a="$after" o="$oracle"
le "$(kv_field truth_on_fast "$o/after")" "$cap" "the fast node holds at most the capacity of the guest's frames"
over=$(grep '^t=' "$o/tier.out" | awk -v c="$cap" '{ split($5, a, "="); if (a[2] > c) n++ } END { print n + 0 }')
is "$over" 0 "no interval ends with more than the capacity on the fast node"
like "$(tail -n 1 "$o/tier.out")" '^total intervals=[0-9]+ promoted=[1-9][0-9]* demoted=[0-9]+ mb=.* end=duration$' "the daemon's total line: pages promoted, ended by --duration"
diag "$(tail -n 1 "$o/tier.out")"
moved=$(tail -n 1 "$o/tier.out" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(promoted|demoted)=/) { split($i, a, "="); n += a[2] } } END { print n + 0 }')
le "$moved" $((2 * cap)) "anti-thrash: the 20 s run moves at most twice the capacity in pages ($moved)"
diag "failures: $(grep -c 'failed=[1-9]' "$o/tier.out") intervals with failures"

ge "$(grep -c '^t=' "$o/slow.out")" 3 "--max-mbps 1: the 4 s run has its intervals"
worst=$(grep '^t=' "$o/slow.out" | awk '{ split($2, p, "="); split($3, d, "="); m = p[2] + d[2]; if (m > w) w = m } END { print w + 0 }')
le "$worst" 244 "--max-mbps 1: at most 244 pages (1 MB) moved in any 1 s interval (worst: $worst)"
ge "$worst" 1 "... and it does move pages"

is "$(cat "$o/tail.st")" 0 "the daemon ends with status 0 when the guest exits"
like "$(cat "$o/tail.err")" 'the VM is gone' "... saying the VM is gone"
like "$(tail -n 1 "$o/tail.out")" ' end=vm-gone$' "... and its total line says so"
is "$(cat "$o/decay.st")" 0 "the decay policy runs its 23 s"
for p in 0 1; do
	d=$(kv_field fast_share "$o/decay$p") or=$(kv_field best_share "$o/decay$p")
	diag "decay policy, phases pattern, phase $p ($([ $p = 0 ] && echo '10 s in' || echo '12 s after the hot set moved')): fast_share $d, oracle $or"
	ok_awk 'o > 0 && a >= 0.8 * o' \
		"decay policy, phase $p: fast_share $d >= 0.8 x the oracle's $or" a="$d" o="$or"
done
diag "$(tail -n 1 "$o/decay.out")"

# The baselines, on a third guest: random first (from the slow node), then
# the oracle on top of it, which must swap random's cold frames for hot ones.
cap3=$(kv_field capacity "$o/random.after") frames3=$(kv_field guest_frames "$o/random.after")
r=$(kv_field fast_share "$o/random.after") want=$(awk -v c="$cap3" -v f="$frames3" 'BEGIN { printf "%.4f", c / f }')
ok_awk 'r - e <= 0.05 && e - r <= 0.05' \
	"random policy: a random capacity's worth of frames serves about its share, $want (within 0.05): $r" r="$r" e="$want"
or=$(kv_field best_share "$o/oracle.after") got=$(kv_field fast_share "$o/oracle.after")
ok_awk 'o > 0 && a >= 0.99 * o' \
	"oracle policy, after random: fast_share $got reaches the truth's best $or (>= 0.99 x)" a="$got" o="$or"
le "$(kv_field truth_on_fast "$o/oracle.after")" "$cap3" "... within the capacity"

exit_said_ok "$o/nomod" 1 'does not exist: load the module' "no module loaded"
exit_said_ok "$o/nonode" 2 'slow-node 2: no such NUMA node .*nodes 0 to 1' "a node that does not exist"
exit_said_ok "$o/notvm" 1 'no KVM VM open' "a pid that is no VM"
exit_said_ok "$o/nopid" 1 'no such process' "a pid that does not exist"
done_testing
