#!/usr/bin/env bash
# tier_two_vms.t - two VMs tiered at once in a 2-node lab (issue 17), one
# eptscope-tier per VM, each with its own capacity: guest A (the default
# --fast-ratio 0.15) and guest B (--fast-ratio 0.05, fewer frames than its
# hot set), both 64 MiB, hotcold 10%/0.9 with different seeds (different
# hot sets), their RAM starting on node 1. After 20 s of both daemons side
# by side, each guest's fast_share (analysis/placement -g, read back with
# move_pages) is at least 0.9 x its own oracle's (the truth's hottest
# frames up to its own capacity), and neither holds more than its own
# capacity on the fast node, in any interval or at the end. lab/run fails
# the run on any kernel splat in dmesg.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
lab_required
scratch_dir

run() {
	rm -rf "$tmp/o"
	lab/run --numa 2 --vcpus 2 --timeout 400 --out "$tmp/o" -- sh -c '
	O=$LAB_OUT T="tier/tier --fast-node 0 --slow-node 1 --duration 20"
	insmod kmod/kvm_ept_sample.ko || exit 1
	for v in a b; do
		seed=1; [ $v = b ] && seed=7
		workload/guest --mem 64M --node 1 --seed $seed --pattern hotcold:hot=10%,p=0.9 \
			--mix r=70,w=30 --seconds 45 --warmup --interval 1 --truth $O/truth.$v >$O/guest.$v 2>&1 &
		echo $! >$O/pid.$v
	done
	ga=$(cat $O/pid.a) gb=$(cat $O/pid.b)
	for v in a b; do
		while ! grep -q "^tick" $O/guest.$v && kill -0 $(cat $O/pid.$v) 2>/dev/null; do sleep 0.5; done
	done
	$T -p $ga >$O/tier.a 2>$O/tier.a.err & da=$!
	$T -p $gb --fast-ratio 0.05 >$O/tier.b 2>$O/tier.b.err & db=$!
	wait $da; echo $? >$O/tier.a.st
	wait $db; echo $? >$O/tier.b.st
	analysis/placement -g $O/truth.a -s -p $ga >$O/after.a 2>&1
	analysis/placement -g $O/truth.b -s -r 0.05 -p $gb >$O/after.b 2>&1
	kill $ga $gb; wait $ga; wait $gb; true' >"$tmp/log" 2>&1
}
struck() { lab_struck "$tmp/log" "$tmp/o/guest.a" "$tmp/o/guest.b" "$tmp/o/tier.a.err" "$tmp/o/tier.b.err"; }
lab_retry run struck
lab_result $? "two guests on node 1, a daemon for each" "$tmp/log" "$tmp/o/tier.a.err" "$tmp/o/tier.b.err"
o=$tmp/o

for v in a b; do
	is "$(cat "$o/tier.$v.st" 2>/dev/null)" 0 "guest $v: its daemon runs its 20 s"
	diag "guest $v: $(cat "$o/after.$v" 2>/dev/null)"
	diag "guest $v: $(tail -n 1 "$o/tier.$v" 2>/dev/null)"
	cap=$(kv_field capacity "$o/after.$v") best=$(kv_field best_share "$o/after.$v")
	got=$(kv_field fast_share "$o/after.$v")
	ok_awk 'b > 0 && a >= 0.9 * b' \
		"guest $v: fast_share $got >= 0.9 x its own oracle's $best (capacity $cap)" a="$got" b="$best"
	le "$(kv_field truth_on_fast "$o/after.$v")" "$cap" "guest $v: at most its own capacity of frames on the fast node at the end"
	over=$(grep '^t=' "$o/tier.$v" | awk -v c="$cap" '{ for (i = 1; i <= NF; i++) if ($i ~ /^on_fast=/ && substr($i, 9) + 0 > c) n++ } END { print n + 0 }')
	is "$over" 0 "guest $v: no interval ends with more than its capacity on the fast node"
done
ca=$(kv_field capacity "$o/after.a") cb=$(kv_field capacity "$o/after.b")
ok_awk 'b > 0 && a > 2 * b' "the capacities are each guest's own: A's $ca, more than twice B's $cb" a="$ca" b="$cb"
done_testing
