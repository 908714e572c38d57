#!/usr/bin/env bash
# lab_guest.t - a tiny KVM guest runs in the lab VM, under NPT and shadow
# paging, and runs its loop to the end (ecx counts down to 0, then HLT).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

for mode in npt shadow; do
	flag=
	[ $mode = shadow ] && flag=--shadow
	out=$(lab/run $flag -- tests/progs/tiny_guest 100000 2>&1)
	ok $? "tiny guest exits 0 under $mode"
	like "$out" 'exit_reason=5 hlt=1 iterations=100000 ecx=0 ' "guest ran 100000 iterations then HLT under $mode"
done
done_testing
