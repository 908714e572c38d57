#!/usr/bin/env bash
# placement.t - analysis/placement on a running guest in a 2-node lab
# (issue 19): guest RAM bound to node 1, 5 s of sampling, then the list
# at --fast-ratio 0.1 (the hot set's size): every frame's address is its
# memslot's hva + offset, every present frame is reported on node 1 (what
# move_pages says, the guest's own `numa` line agreeing), the frames to
# promote are the truth's hot frames (precision >= 0.8) and none is
# demoted (the fast node holds nothing); JSON has the same frames; the
# truth score says the fast node serves none of the accesses. Errors: no
# module loaded, a pid that is no VM, a pid that does not exist, a node
# that does not exist.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
lab_required
scratch_dir

run() {
	rm -rf "$tmp/o"
	lab/run --numa 2 --vcpus 2 --timeout 300 --out "$tmp/o" -- sh -c '
	O=$LAB_OUT P=analysis/placement
	$P -p $$ -g /dev/null >$O/nomod.out 2>&1; echo $? >$O/nomod.st
	insmod kmod/kvm_ept_sample.ko || exit 1
	workload/guest --mem 64M --node 1 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30 \
		--seconds 15 --warmup --interval 1 --truth $O/truth >$O/guest.out 2>&1 & g=$!
	while ! grep -q "^tick" $O/guest.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
	analysis/eptsample -p $g -d 5 -b -o $O/s.bin 2>$O/s.err || exit 1
	$P -p $g -r 0.1 $O/s.bin >$O/list.csv 2>$O/list.err || exit 1
	$P -p $g -r 0.1 -F json -o $O/list.json $O/s.bin 2>/dev/null || exit 1
	$P -p $g -g $O/truth -s >$O/score.out 2>&1 || exit 1
	$P -p $$ -g $O/truth >$O/notvm.out 2>&1; echo $? >$O/notvm.st
	$P -p 999999 -g $O/truth >$O/nopid.out 2>&1; echo $? >$O/nopid.st
	$P -p $g -n 2 $O/s.bin >$O/nonode.out 2>&1; echo $? >$O/nonode.st
	wait $g' >"$tmp/log" 2>&1
}
struck() { lab_struck "$tmp/log" "$tmp/o/guest.out" "$tmp/o/s.err"; }
lab_retry run struck
lab_result $? "a guest on node 1, a 5 s capture and the placement lists" "$tmp/log" "$tmp/o/list.err"
o=$tmp/o

exit_said_ok "$o/nomod" 1 'does not exist: load the module' "no module loaded"
exit_said_ok "$o/notvm" 1 'no KVM VM open' "a pid that is no VM"
exit_said_ok "$o/nopid" 1 'no such process' "a pid that does not exist"
exit_said_ok "$o/nonode" 2 'no such NUMA node .*nodes 0 to 1' "a node that does not exist"

diag "$(cat "$o/list.err")"
is "$(head -n 1 "$o/list.csv")" "rank,gfn,hva,node,rate,samples,action" "CSV header"
hva=$(sed -n 's/^memslot slot=0 .* hva=\(0x[0-9a-f]*\) .*/\1/p' "$o/guest.out")
rows=$(tail -n +2 "$o/list.csv" | wc -l)
ge "$rows" 10000 "the list has most of the guest's 16384 data frames ($rows)"
bad=$(tail -n +2 "$o/list.csv" | awk -F, -v base="$hva" '
	function hex(s) { return strtonum(s) }
	hex($3) != hex(base) + hex($2) * 4096 { n++ } END { print n + 0 }')
is "$bad" 0 "every frame's hva is slot 0's hva $hva + gfn * 4096"
off=$(tail -n +2 "$o/list.csv" | awk -F, '$4 != 1 && $4 != -1 { n++ } END { print n + 0 }')
is "$off" 0 "every present frame is on node 1, where the guest bound its RAM"
like "$(cat "$o/guest.out")" '^numa node=1 sampled=[0-9]+ on_node=[0-9]+ other_node=0' "the guest's own move_pages check agrees"
is "$(awk -F, '$7 == "demote"' "$o/list.csv" | wc -l)" 0 "nothing to demote: the fast node holds none of the guest"
cap=$(sed -n 's/.* capacity=\([0-9]*\).*/\1/p' "$o/list.err")
prom=$(awk -F, '$7 == "promote"' "$o/list.csv" | wc -l)
is "$prom" "$cap" "as many frames to promote as the capacity ($cap)"
prec=$(awk 'NR == FNR { if ($1 !~ /^#/) hot[$1] = $4; next }
	FNR > 1 { split($0, f, ","); if (f[7] != "promote") next
		g = strtonum(f[2]); if (!(g in hot)) next; n++; h += hot[g] }
	END { printf "%.3f", n ? h / n : 0 }' "$o/truth" "$o/list.csv")
ok_awk 'p >= 0.8' "the frames to promote are the truth's hot frames: precision $prec >= 0.8" p="$prec"
if command -v python3 >/dev/null; then
	jrows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["frames"]), d["capacity"], sum(f["action"]=="promote" for f in d["frames"]))' "$o/list.json")
	is "$jrows" "$rows $cap $prom" "the JSON list parses and has the same frames, capacity and promotions"
else
	ok 0 "# SKIP no python3 to parse the JSON"
fi
s=$(cat "$o/score.out")
diag "$s"
like "$s" ' hot_on_fast=0 truth_on_fast=0 fast_share=0.0000 ' "the truth score: the fast node serves none of the accesses"
like "$s" ' truth_frames=16384 truth_hot=1638 ' "... over the truth's 16384 frames, 1638 hot"
# best_share: the 1638 hot frames' 0.9, then cold frames' 0.1 / 14746
# each, up to the capacity (15% of the guest's frames).
c=$(kv_field capacity "$o/score.out")
want=$(awk -v c="$c" 'BEGIN { printf "%.4f", 0.9 + (c - 1638) * 0.1 / (16384 - 1638) }')
b=$(kv_field best_share "$o/score.out")
ok_awk 'b != "" && b - w <= 0.0005 && w - b <= 0.0005' \
	"best_share: the most $c frames can serve, the hot set's 0.9 and the rest cold: $b (want $want)" b="$b" w="$want"
done_testing
