#!/usr/bin/env bash
# kmod_accuracy.t - the hot set of the reference pattern (256 MiB, 2 vCPUs,
# hotcold 10%/0.9, r=70/w=30) is recovered from 10 s of sampling with the
# reader's defaults alone (eptsample -p PID -f 1000 -d 10: the module's
# default mode, KVM's accessed bits): hot-set precision and recall >= 0.9
# (issue 11). Then the same guest sampled by faults (-M faults): 10 s at
# 1000 samples/s carry too few samples for 0.9 (docs/kmod.md, "What a
# budget of samples can tell"), so that capture guards the mechanism and
# the estimator: the ranking of the sampled frames (>= 0.6, chance 0.10)
# and the coverage of the hot set (>= 0.25); its precision is printed.
# Last, a 16 MiB guest so fast under TCG that it touches nearly every frame
# within the shortest accessed-bit interval: the default (auto) mode must
# see that, go on by faults, and still find the hot set (>= 0.8).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$tmp.log"' EXIT

# capture: one lab run, the guest and a 10 s capture into $tmp.
capture() {
	rm -f "$tmp"/*
	lab/run --vcpus 2 --out "$tmp" --timeout 400 -- sh -c '
	insmod kmod/kvm_ept_sample.ko || exit 1
	workload/guest --mem 256M --vcpus 2 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30 \
		--seconds 26 --warmup --interval 1 --truth $LAB_OUT/truth >$LAB_OUT/guest.out 2>&1 & g=$!
	while ! grep -q "^tick" $LAB_OUT/guest.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
	analysis/eptsample -p $g -f 1000 -d 10 -b -o $LAB_OUT/s.bin 2>$LAB_OUT/s.err || exit 1
	analysis/eptsample -M faults -p $g -f 1000 -d 10 -b -o $LAB_OUT/f.bin 2>$LAB_OUT/f.err || exit 1
	wait $g
	workload/guest --mem 16M --vcpus 2 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30 \
		--seconds 14 --warmup --interval 1 --truth $LAB_OUT/truth16 >$LAB_OUT/guest16.out 2>&1 & g=$!
	while ! grep -q "^tick" $LAB_OUT/guest16.out && kill -0 $g 2>/dev/null; do sleep 0.5; done
	analysis/eptsample -p $g -f 1000 -d 8 -b -o $LAB_OUT/s16.bin 2>$LAB_OUT/s16.err || exit 1
	wait $g' >"$tmp.log" 2>&1
}
# Emulated nested paging under TCG sometimes triple-faults a 2-vCPU guest
# (during warm-up, or before eptsample attaches: "no such process"), or
# loses the lab VM with it (docs/workload.md, "Known lab problem";
# lab/lib.sh, lab_vm_lost): the run is repeated, up to
# three tries in all, and fails if every try hits it.
emulation_failure() {
	grep -q 'triple fault' "$tmp/guest.out" 2>/dev/null ||
		grep -q 'no such process' "$tmp/s.err" "$tmp/f.err" "$tmp/s16.err" 2>/dev/null ||
		grep -q 'triple fault' "$tmp/guest16.out" 2>/dev/null ||
		lab_vm_lost "$tmp.log"
}
capture
st=$?
for try in 2 3; do
	[ $st -ne 0 ] && emulation_failure || break
	diag "the known emulated-NPT failure struck ($(grep -h -m1 -e 'triple fault' -e 'no such process' -e 'Kernel panic.*' -e 'VM di.*' "$tmp/guest.out" "$tmp/s.err" "$tmp.log" 2>/dev/null | head -n 1)); try $try"
	capture
	st=$?
done
ok $st "the reference run and a 10 s capture succeed"
[ $st -eq 0 ] || { tail -n 20 "$tmp.log"; tail -n 5 "$tmp/guest.out"; } 2>/dev/null | sed 's/^/# /'
# score LOG: hotness's summary line against the truth.
score() { analysis/hotness -q -g "$tmp/truth" "$1" 2>&1 | grep '^precision='; }
at_least() { awk -v x="${1:-0}" -v m="$2" 'BEGIN { exit !(x >= m) }'; }

d=$(score "$tmp/s.bin")
diag "defaults: $d"
diag "$(tail -n 2 "$tmp/s.err" | head -n 1)"
at_least "$(kv_in precision "$d")" 0.9
ok $? "with the defaults, hot-set precision $(kv_in precision "$d") >= 0.9"
at_least "$(kv_in recall "$d")" 0.9
ok $? "with the defaults, hot-set recall $(kv_in recall "$d") >= 0.9"
like "$(cat "$tmp/s.err")" ' zaps=0 .* mode=1 ' "the default mode armed nothing: no zap, no fault (mode 1, accessed bits)"

f=$(score "$tmp/f.bin")
diag "-M faults: $f"
diag "$(tail -n 2 "$tmp/f.err" | head -n 1)"
at_least "$(kv_in sampled_precision "$f")" 0.6
ok $? "faults: precision among the sampled frames $(kv_in sampled_precision "$f") >= 0.6 (chance: 0.10)"
at_least "$(kv_in coverage "$f")" 0.25
ok $? "faults: the capture samples a fair share of the hot set: coverage $(kv_in coverage "$f") >= 0.25"
diag "faults: hot-set precision = recall: $(kv_in precision "$f") (docs/kmod.md, \"What a budget of samples can tell\")"

t=$(analysis/hotness -q -g "$tmp/truth16" "$tmp/s16.bin" 2>&1 | grep '^precision=')
diag "16 MiB, defaults: $t"
like "$(cat "$tmp/s16.err")" ' mode=0 .* age_saturated=1$' "16 MiB: the accessed bits saturated and the session went on by faults"
at_least "$(kv_in precision "$t")" 0.8
ok $? "16 MiB, the defaults: hot-set precision $(kv_in precision "$t") >= 0.8"
done_testing
