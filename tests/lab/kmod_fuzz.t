#!/usr/bin/env bash
# kmod_fuzz.t - thousands of random ioctls, reads and polls with random
# arguments and pointers against /proc/kvm_ept_sample while a guest runs;
# the module unloads afterwards and dmesg stays clean (lab/run checks it).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fuzz() {
	lab/run --timeout 300 -- sh -c '
	insmod kmod/kvm_ept_sample.ko || exit 1
	workload/guest --mem 16M --seconds 120 --interval 0 >/dev/null 2>&1 & g=$!
	sleep 2
	for seed in 1 2 3; do tests/progs/ept_fuzz $g 4000 $seed || exit 1; done
	kill $g; wait $g
	rmmod kvm_ept_sample && echo unloaded' >"$log" 2>&1
}
# A lost lab VM (once in CI: silent for 540 s, no kernel message, where the
# run takes 15 s) is repeated once; a second loss fails the test.
lab_run_twice "$log" fuzz
st=$?
out=$(cat "$log")
ok $st "12000 random operations leave the kernel clean"
is "$(printf '%s\n' "$out" | grep -c '^ept_fuzz: 4000 operations')" 3 "all three fuzz rounds ran to the end"
like "$out" '^unloaded$' "the module unloads after the fuzzing"
done_testing
