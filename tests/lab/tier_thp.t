#!/usr/bin/env bash
# tier_thp.t - eptscope-tier on a guest backed by transparent huge pages
# (issue 17, "THP, decided per 2 MiB region"): workload/guest --backing
# thp bound to node 1, a contiguous hot set (10%, p=0.9); the daemon with
# its defaults sees the huge pages (--huge auto: unit=2M), decides and
# moves whole 2 MiB regions (the pages on the fast node are a multiple of
# 512 at every interval), and in 15 s brings the fast node's share of the
# guest's accesses to at least 0.9 x the oracle's for regions (the
# truth's hottest regions, up to the capacity in regions).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
lab_required
scratch_dir

run() {
	rm -rf "$tmp/o"
	lab/run --numa 2 --vcpus 2 --timeout 300 --out "$tmp/o" -- sh -c '
	O=$LAB_OUT
	insmod kmod/kvm_ept_sample.ko || exit 1
	cat /sys/kernel/mm/transparent_hugepage/enabled >$O/thp.txt
	workload/guest --mem 64M --backing thp --node 1 --pattern hotcold:hot=10%,p=0.9,contiguous \
		--mix r=70,w=30 --seconds 24 --warmup --interval 1 --truth $O/truth >$O/guest.out 2>&1 & g=$!
	while ! grep -q "^tick" $O/guest.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
	grep AnonHugePages /proc/$g/smaps | sort | uniq -c | sort -n | tail -n 2 >$O/smaps.txt
	analysis/placement -g $O/truth -s -p $g >$O/before 2>&1 || exit 1
	tier/tier -p $g --fast-node 0 --slow-node 1 --duration 15 >$O/tier.out 2>$O/tier.err || exit 1
	analysis/placement -g $O/truth -s -p $g >$O/after 2>&1 || exit 1
	wait $g' >"$tmp/log" 2>&1
}
emulation_failure() {
	grep -q 'triple fault' "$tmp/o/guest.out" 2>/dev/null || lab_vm_lost "$tmp/log"
}
lab_retry run emulation_failure
st=$?
ok $st "a THP guest on node 1 and 15 s of the daemon"
[ $st -eq 0 ] || { tail -n 20 "$tmp/log"; cat "$tmp/o/tier.err"; } 2>/dev/null | sed 's/^/# /'
o=$tmp/o
field() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | tail -n 1; }
diag "THP: $(cat "$o/thp.txt"); smaps: $(tr '\n' ' ' <"$o/smaps.txt")"
diag "before: $(cat "$o/before")"
diag "after:  $(cat "$o/after")"
like "$(head -n 1 "$o/tier.out")" ' unit=2M ' "the daemon sees the huge pages: it decides per 2 MiB region"
odd=$(grep '^t=' "$o/tier.out" | awk '{ split($5, a, "="); if (a[2] % 512) n++ } END { print n + 0 }')
is "$odd" 0 "at every interval the fast node holds whole 2 MiB regions"
cap=$(field capacity "$o/after")
units=$(( $(grep '^t=' "$o/tier.out" | head -n 1 | sed 's/.* capacity=\([0-9]*\).*/\1/') / 512 ))
# The oracle for regions: the truth's regions (gfn / 512) by their share,
# the hottest up to the daemon's capacity in regions.
oracle=$(awk '$1 !~ /^#/ && $2 == 0 { r[int($1 / 512)] += $3; t += $3 }
	END { for (k in r) print r[k] / t }' "$o/truth" | sort -g -r |
	awk -v c="$units" 'NR <= c { s += $1 } END { printf "%.4f", s }')
after=$(field fast_share "$o/after")
diag "capacity $units regions; oracle fast_share $oracle; the daemon's $after"
is "$(field fast_share "$o/before")" 0.0000 "before: the fast node serves none of the accesses"
ok "$(awk -v a="$after" -v o="$oracle" 'BEGIN { print !(a >= 0.9 * o) }')" \
	"after 15 s, fast_share $after >= 0.9 x the regions' oracle $oracle"
diag "$(tail -n 1 "$o/tier.out")"
done_testing
