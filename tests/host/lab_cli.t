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

out=$(lab/stap no/such/script.stp 2>&1)
ok $((! $?)) "lab/stap on a missing script fails"
like "$out" 'no such script' "and says so"
out=$(lab/stap -p4 x.stp 2>&1)
is $? 2 "lab/stap refuses -p (it chooses the pass itself)"

. lab/lib.sh
is "$(size_to_mib 2G)" 2048 "size_to_mib 2G"
is "$(size_to_mib 1536M)" 1536 "size_to_mib 1536M"
is "$(size_to_mib 1048576K)" 1024 "size_to_mib 1048576K"
size_to_mib 2T >/dev/null
ok $((! $?)) "size_to_mib rejects 2T"

out=$(make -s help)
for t in all check experiment install clean help; do
	like "$out" "^$t " "make help lists $t"
done
done_testing
