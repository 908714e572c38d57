#!/usr/bin/env bash
# kmod_stress.t - kvm_ept_sample's session lifetime under races, three
# rounds of: insmod; thousands of sessions (open, INIT, SET_FREQ up to the
# maximum, reads, DEINIT or close) against guests that exit at random
# moments, while another thread INITs one session over and over, meeting
# the arming work as it detaches from a VM that went away
# (tests/progs/ept_stress.c); rmmod. The kernel must stay clean (lab/run
# reads dmesg) and every call must return a documented result.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

lab_required

log=$(mktemp)
trap 'rm -f "$log"' EXIT
ROUNDS=3 ITER=500

stress() {
	lab/run --vcpus 2 --timeout 900 -- sh -c "
	for r in \$(seq $ROUNDS); do
		insmod kmod/kvm_ept_sample.ko || exit 1
		tests/progs/ept_stress $ITER workload/guest \$r || exit 1
		rmmod kvm_ept_sample && echo \"rmmod round=\$r ok\"
	done" >"$log" 2>&1
}
lab_run_twice "$log" stress
st=$?
ok $st "$ROUNDS rounds of $ITER racing sessions leave the kernel clean"
[ $st -eq 0 ] || tail -n 20 "$log" | sed 's/^/# /'
lines=$(grep '^ept_stress: ' "$log")
diag "$lines"
is "$(grep -c "^ept_stress: $ITER iterations, .* 0 unexpected$" <<<"$lines")" "$ROUNDS" \
	"every call returned a documented result, in every round"
is "$(grep -c '^rmmod round=[0-9]* ok' "$log")" "$ROUNDS" "the module unloads after each round"
sum() { sed -n "s/^ept_stress: .* $1.*/&/p" <<<"$lines" | grep -o "[0-9]* $1" | awk '{ n += $1 } END { print n + 0 }'; }
ge "$(sum guests)" 30 "guests came and went under the sessions ($(sum guests))"
ge "$(sum attached,)" 100 "sessions attached ($(sum attached,))"
ge "$(sum ended)" 1 "some sessions saw their VM go away while attached ($(sum ended))"
racer=$(grep -o '(\([0-9]*\) attached)' <<<"$lines" | tr -dc '0-9\n' | awk '{ n += $1 } END { print n + 0 }')
ge "$racer" 10 "the racing INIT re-attached after the work detached ($racer times)"
done_testing
