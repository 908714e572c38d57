#!/usr/bin/env bash
# stp_ept_hot.t - stp/ept_hot.stp in the lab (NPT): without the module it
# says so and how to load it; with it, and no session for the VM, it
# starts one itself; without the module it stops with an error, and staprun
# exits non-zero; each table's header says how many frames have MIN
# samples, and a table with none says so; its table has the r/w/x mix, expiries and TDP faults;
# its top frames lie in the guest's truth hot set; and its cross-validation
# line agrees exactly (the module's samples against the first TDP faults
# on armed frames that KVM's fault path shows).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required

scratch_dir

H=$(lab/stap -g stp/ept_hot.stp 5 30 2000)
ok $? "ept_hot.stp compiles in guru mode ($H)"
[ -n "$H" ] || { done_testing; exit 1; }

run_lab() {
	rm -rf "$tmp/out"
	lab/run --vcpus 2 --timeout 300 --out "$tmp/out" -- sh -c '
O=$LAB_OUT
g="workload/guest --mem 16M --vcpus 2 --interval 0 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30"
$g --seconds 6 >/dev/null 2>&1 & p=$!
sleep 1
timeout 60 staprun -x $p '"$H"' >$O/nomod.out 2>&1
echo $? >$O/nomod.rc
wait $p
insmod kmod/kvm_ept_sample.ko || exit 1
$g --seconds 20 --truth $O/truth >$O/guest.out 2>&1 & p=$!
sleep 1
staprun -x $p '"$H"' >$O/hot.out 2>&1 & s=$!
wait $p
kill -INT $s; wait $s
' >"$tmp/run.log" 2>&1
}
# A lost lab VM (lab/lib.sh, lab_vm_lost) is repeated once. A run in
# which SystemTap skipped a probe is not: the script's probes share no
# lock with its table, and count without locks, so a skip is a failure
# (docs/tapsets.md, "Lock timeouts under TCG").
lab_run_ok "$tmp/run.log" "the lab run succeeds" run_lab
O=$tmp/out

like "$(cat "$O/nomod.out")" 'kvm_ept_sample.ko is not loaded.*modprobe kvm_ept_sample.*insmod kmod/kvm_ept_sample.ko' \
	"without the module: it says so, and how to load it"
is "$(cat "$O/nomod.rc")" 1 "without the module: staprun exits 1 (the script stops with an error)"
like "$(cat "$O/hot.out")" '^ept_hot: pid [0-9]+: no session samples this VM: starting one: analysis/eptsample -M faults -p [0-9]+ -f 2000$' \
	"with no session for the VM, it starts one"
tables=$(grep -c '^ept_hot: pid [0-9]* t=[0-9]* s: ' "$O/hot.out")
# How many 5 s tables fit in the 20 s run depends on how fast staprun
# starts under load; that at least one came during the run does not.
ok_if 'tables >= 1' "a table every 5 s while the guest runs ($tables)"
like "$(cat "$O/hot.out")" '^ept_hot: pid [0-9]+ t=[0-9]+ s: .*; top 30 by estimated rate of the [0-9]+ frames with at least 2 samples$' \
	"each table's header says how many frames have MIN (2) samples"
# A table (header, column line) is followed by rows, or says why it has none.
empty=$(awk 'function check() { if (h && !n) bad++; h = 0 }
	/^ept_hot: pid [0-9]+ (t=|final)/ { check(); h = NR; n = 0; next }
	h && NR == h + 1 { next }
	h && /^ +0x/ { n++; next }
	h && /no frame has 2 samples yet: MIN, the 4th argument, is 2/ { n = -1; next }
	{ check() }
	END { check(); print bad + 0 }' "$O/hot.out")
is "$empty" 0 "every table has rows or says that no frame has MIN samples yet"
like "$(cat "$O/hot.out")" '^ +gfn +rate/s +samples +r +w +x +delay_us +expired +tdp_faults$' "the table has the r/w/x mix, the expiries and the TDP faults"

# The final table's frames: data frames must be hot in the truth (the
# system area, code and stack and page tables, is hot too but outside it).
data=$(sed -n 's/^# data_frames=//p' "$O/truth")
awk '!/^#/ && $4 == 1 { print $1 }' "$O/truth" | sort -u >"$tmp/hot"
sed -n '/^ept_hot: pid [0-9]* final:/,/^xval/p' "$O/hot.out" | gawk -v d="$data" '$1 ~ /^0x/ {
	g = strtonum($1); if (g < d) print g }' | head -n 10 >"$tmp/top"
ntop=$(wc -l <"$tmp/top")
inhot=$(sort -u "$tmp/top" | comm -12 - "$tmp/hot" | wc -l)
ok_if 'ntop >= 5' "the final table ranks data frames ($ntop of the top 10 data frames)"
is "$inhot" "$ntop" "ept_hot's top data frames lie in the truth's hot set ($inhot of $ntop)"
rows=$(sed -n '/final:/,/^xval/p' "$O/hot.out" | awk '$1 ~ /^0x/ && ($4 + $5 + $6 != $3 || $9 < 1)' | wc -l)
is "$rows" 0 "each row: r + w + x = samples, and at least one TDP fault seen"

x=$(grep '^xval:' "$O/hot.out")
diag "$x"
ms=$(sed -n 's/.*module_samples=\([0-9]*\).*/\1/p' <<<"$x")
tf=$(sed -n 's/.*tapset_first_faults=\([0-9]*\).*/\1/p' <<<"$x")
sk=$(sed -n 's/.*skipped_probes=\([0-9]*\)).*/\1/p' <<<"$x")
late=$(sed -n 's/.* late=\([0-9]*\) .*/\1/p' <<<"$x")
lost=$(sed -n 's/.* unarmed=\([0-9]*\) unconfirmed=\([0-9]*\) .*/\1 + \2/p' <<<"$x")
ok_if "${ms:-0} >= 1000" "on a real number of samples ($ms)"
# Exact agreement: every probe ran (skipped_probes=0), and the module's
# samples are exactly the first TDP faults on armed units.
is "${sk:-none}" 0 "SystemTap skipped no probe (skipped_probes=${sk:-none})"
like "$x" '^xval: module_samples=[1-9][0-9]* tapset_first_faults=[0-9]+ agree ' "the cross-validation line agrees"
is "$tf" "$ms" "exactly: samples recorded = first TDP faults on armed frames"
is "${late:-none}" 0 "no sample of a later access than the first (late=${late:-none})"
is "$(( ${lost:-1} ))" 0 "no lost probe: unarmed + unconfirmed = 0"
unlike "$(cat "$O/hot.out")" '^ERROR' "no SystemTap error"
done_testing
