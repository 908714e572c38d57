#!/usr/bin/env bash
# analysis_placement.t - analysis/placement's options on a machine without
# the module (the list itself: tests/lab/placement.t): --help (every long
# option in the man page), bad options exit 2 saying which, a node this
# machine does not have exits 2 naming the nodes it has, a missing log
# exits 2, and no module loaded exits 1 saying to load it; no -o FILE
# after either failure.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
P=$BIN/placement
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
absent=$((nodes + 3))

out=$($P --help); st=$?
is "$st" 0 "--help exits 0"
like "$out" 'Examples:' "--help has examples"
like "$out" 'Exit status' "--help gives the exit codes"
missing=$($P --help | grep -o -E -- '--[a-z][a-z-]+' | sort -u |
	while read -r opt; do grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" \
		"$EPTSCOPE_ROOT/analysis/eptscope-placement.1" || echo "$opt"; done)
is "$missing" "" "every long option of --help is in eptscope-placement.1"

bad() { # EXPECTED-MESSAGE ARGS...
	local msg=$1 out st
	shift
	out=$("$@" 2>&1); st=$?
	is "$st" 2 "'$*' exits 2"
	like "$out" "$msg" "... saying: $msg"
}
bad 'PID is required' $P log
bad 'LOG is required' $P -p 1
bad 'out of range' $P -p 99999999999 log
bad "no such NUMA node on this machine \\(nodes 0 to $((nodes - 1))\\)" $P -p 1 -n $absent log
bad 'fast-ratio takes' $P -p 1 -r 1.5 log
bad 'tolerance takes' $P -p 1 -t -1 log
bad 'format: csv or json' $P -p 1 -F xml log
bad 'estimator: delay, count or auto' $P -p 1 -e max log
bad 'one LOG at most' $P -p 1 a b
bad 'No such file' $P -p 1 -o "$T/out.csv" "$T/none.log"
[ -e "$T/out.csv" ]; ok $((!$?)) "no -o FILE after a failed open"

if [ -e /proc/kvm_ept_sample ]; then
	diag "the module is loaded on this machine: its absence is not tested"
	done_testing
	exit
fi
"$GENLOG" -n 100 -s 1 >"$T/s.txt"
out=$($P -p $$ -o "$T/out.csv" "$T/s.txt" 2>&1); st=$?
is "$st" 1 "without the module: exit 1"
like "$out" 'does not exist: load the module' "... saying to load it"
[ -e "$T/out.csv" ]; ok $((!$?)) "... and no -o FILE"
out=$($P -p $$ -g /dev/null 2>&1); st=$?
is "$st" 1 "-g alone without the module: exit 1, before the truth is read"
done_testing
