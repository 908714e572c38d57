#!/usr/bin/env bash
# lab_cli.t - the lab scripts' command lines, on the host (no VM booted):
# help texts, usage errors for bad options, and the size parser.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

for s in lab/run lab/stap lab/setup; do
	out=$($s --help 2>&1)
	ok $? "$s --help exits 0"
	like "$out" '^Usage: ' "$s --help prints a usage line"
done

for bad in "--vcpus 0" "--vcpus x" "--mem 12" "--mem 2T" "--numa 3 --vcpus 2" "--timeout -1" "--bogus" "--out"; do
	# shellcheck disable=SC2086
	out=$(lab/run $bad -- true 2>&1)
	st=$?
	is $st 2 "lab/run $bad exits 2"
	like "$out" '^Usage: lab/run' "lab/run $bad prints the usage"
done
out=$(lab/run 2>&1)
is $? 2 "lab/run without COMMAND exits 2"
out=$(lab/run true 2>&1)
is $? 2 "lab/run COMMAND without -- exits 2"
like "$out" "^lab/run: .*'true'.* after '--' \\(lab/run \\[options\\] -- true" "... and shows where COMMAND goes"

out=$(lab/stap no/such/script.stp 2>&1)
ok_if "$? != 0" "lab/stap on a missing script fails"
like "$out" 'no such script' "and says so"
out=$(lab/stap -p4 x.stp 2>&1)
is $? 2 "lab/stap refuses -p (it chooses the pass itself)"

. lab/lib.sh
is "$(size_to_mib 2G)" 2048 "size_to_mib 2G"
is "$(size_to_mib 1536M)" 1536 "size_to_mib 1536M"
is "$(size_to_mib 1048576K)" 1024 "size_to_mib 1048576K"
size_to_mib 2T >/dev/null
ok_if "$? != 0" "size_to_mib rejects 2T"

out=$(make -s help)
for t in all check experiment install clean help; do
	like "$out" "^$t " "make help lists $t"
done
# A lost lab VM (lab/lib.sh): recognised from lab/run's words, its reason
# read from a console with CR line ends, and repeated once by
# lab_run_twice (tests/lib/tap.sh); a failure of COMMAND itself is not.
t=$(mktemp -d)
printf 'boot\r\n[ 53.3] Kernel panic - not syncing: corrupted stack end detected inside scheduler\r\nlab: the VM died while COMMAND ran (kernel crash?); qemu status 0\n' >"$t/died"
printf 'lab: timeout: the VM did not finish within 540 s; powered it off\n' >"$t/hung"
printf 'not ok 1 - something\n' >"$t/failed"
lab_vm_lost "$t/died" && lab_vm_lost "$t/hung"
ok $? "lab_vm_lost: a kernel death and a silent VM are both lost VMs"
! lab_vm_lost "$t/failed"
ok $? "lab_vm_lost: a failing command is not"
is "$(lab_vm_lost_reason "$t/died")" "Kernel panic - not syncing: corrupted stack end detected inside scheduler" \
	"lab_vm_lost_reason: the whole panic line, without the CR"
is "$(lab_vm_lost_reason "$t/hung")" "the VM did not finish within 540 s; powered it off" \
	"lab_vm_lost_reason: lab/run's words for a silent VM"
runs=0
lost_once() { runs=$((runs + 1)); [ $runs -ge 2 ]; }
out=$(lab_run_twice "$t/hung" lost_once; echo "status=$? runs=$runs")
like "$out" '^# the lab VM was lost \(the VM did not finish within 540 s; powered it off\); repeating the run once$' \
	"lab_run_twice says why it repeats"
like "$out" '^status=0 runs=2$' "lab_run_twice: a lost run is repeated once, and the repeat counts"
runs=0
out=$(lab_run_twice "$t/failed" lost_once; echo "status=$? runs=$runs")
is "$out" "status=1 runs=1" "lab_run_twice: a plain failure is not repeated"
runs=0
always_lost() { runs=$((runs + 1)); return 1; }
out=$(lab_run_twice "$t/died" always_lost; echo "status=$? runs=$runs")
like "$out" '^status=1 runs=2$' "lab_run_twice: a second loss fails"
rm -rf "$t"
is "$(lab_tcg_thread)" single "lab/run runs single-threaded TCG by default"
is "$(LAB_TCG_THREAD=multi lab_tcg_thread)" multi "LAB_TCG_THREAD overrides it"
done_testing
