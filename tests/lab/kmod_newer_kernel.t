#!/usr/bin/env bash
# kmod_newer_kernel.t - kvm_ept_sample.ko on the lab's newer kernel (a 6.12
# ABI that lab/setup found beside the 6.1 one; skipped where apt has none):
# the lab boots it with KVM and nested paging, the module builds for it
# (lab/run's make lab), loads, resolves what it needs, and samples the
# reference pattern with the defaults (accessed bits) and by faults, each
# scored against workload/guest's truth; it unloads, and dmesg stays clean.
# SystemTap is not tested here: bookworm's 4.8 does not build for 6.12.
# The default mode's score is printed, not asserted: on 6.12 its accessed
# bits often saturate on this guest and it goes on by faults late, scoring
# 0.68 to 1.00, where 6.1 gives 0.95 to 0.98; the cause is open
# (docs/kmod.md, "Kernels").
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_newer_required

scratch_dir
O=$tmp/out
run_lab() {
	lab_run_abi "$O" "$newer" '
uname -r >$O/uname
insmod kmod/kvm_ept_sample.ko || exit 1
dmesg | grep "kvm_ept_sample: ready" >$O/ready
G="workload/guest --mem 64M --vcpus 1 --seconds 14 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30"
$G --truth $O/truth.def >$O/def.out 2>&1 & g=$!
sleep 2; analysis/eptsample -p $g -f 1000 -d 10 -o $O/def.log 2>$O/def.err; echo $? >$O/def.erc
wait $g
$G --truth $O/truth.flt >$O/flt.out 2>&1 & g=$!
sleep 2; analysis/eptsample -M faults -p $g -f 1000 -d 10 -o $O/flt.log 2>$O/flt.err; echo $? >$O/flt.erc
wait $g
rmmod kvm_ept_sample && echo unloaded >$O/rmmod
' >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the lab run on $newer succeeds with a clean dmesg" run_lab

stat() { sed -n "s/^eptsample: armed=.* $1=\([0-9]*\).*/\1/p" "$2" | head -n 1; }
score() { analysis/hotness -g "$1" "$2" 2>/dev/null | sed -n "s/^precision=\([0-9.]*\) recall=\([0-9.]*\) .*/\1 \2/p"; }

is "$(cat "$O/uname" 2>/dev/null)" "$newer" "the lab booted the newer kernel"
like "$(cat "$O/ready" 2>/dev/null)" 'ready \((svm/npt|vmx/ept), tdp on, API 5\)' \
	"the module loads and resolves its symbols on it"
is "$(cat "$O/def.erc" "$O/flt.erc" 2>/dev/null | tr '\n' ,)" "0,0," "both captures succeed"

read -r p r <<<"$(score "$O/truth.def" "$O/def.log")"
ge "$(stat age_observed "$O/def.err")" 1000 "defaults: accessed-bit observations were made ($(stat age_observed "$O/def.err"))"
diag "defaults: the hot set at precision ${p:-?} and recall ${r:-?}; saturated=$(stat age_saturated "$O/def.err")"

read -r p r <<<"$(score "$O/truth.flt" "$O/flt.log")"
ge "$(stat caught "$O/flt.err")" 1000 "faults: samples were recorded ($(stat caught "$O/flt.err"))"
is "$(stat dropped "$O/flt.err")" 0 "faults: no record dropped"
awk -v p="${p:-0}" 'BEGIN { exit !(p >= 0.5) }'
ok $? \
	"faults: the hot set at precision ${p:-?} (>= 0.5; chance 0.1)"
is "$(cat "$O/rmmod" 2>/dev/null)" unloaded "the module unloads"
done_testing
