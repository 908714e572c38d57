#!/usr/bin/env bash
# analysis_placement.t - analysis/placement's options on a machine without
# the module (the list itself: tests/lab/placement.t): --help (its man
# page against its options: man_pages.t), bad options exit 2 saying which, a node this
# machine does not have exits 2 naming the nodes it has, a missing log
# exits 2, and no module loaded exits 1 saying to load it; no -o FILE
# after either failure.
source "$(dirname "$0")/../lib/tap.sh"
source "$EPTSCOPE_ROOT/analysis/testenv.sh"
P=$BIN/placement
nodes=$(numa_nodes) absent=$(($(numa_nodes) + 3))

help_ok $P

usage_error_ok 'PID is required' $P log
usage_error_ok 'LOG is required' $P -p 1
usage_error_ok 'out of range' $P -p 99999999999 log
usage_error_ok "no such NUMA node on this machine \\(nodes 0 to $((nodes - 1))\\)" $P -p 1 -n $absent log
usage_error_ok 'fast-ratio takes' $P -p 1 -r 1.5 log
usage_error_ok 'tolerance takes' $P -p 1 -t -1 log
usage_error_ok 'format takes csv or json' $P -p 1 -F xml log
usage_error_ok 'estimator takes auto, delay or count' $P -p 1 -e max log
usage_error_ok 'one LOG at most' $P -p 1 a b
usage_error_ok 'No such file' $P -p 1 -o "$T/out.csv" "$T/none.log"
[ ! -e "$T/out.csv" ]; ok $? "no -o FILE after a failed open"

if [ -e /proc/kvm_ept_sample ]; then
	diag "the module is loaded on this machine: its absence is not tested"
	done_testing
	exit
fi
"$GENLOG" -n 100 -s 1 >"$T/s.txt"
out=$($P -p $$ -o "$T/out.csv" "$T/s.txt" 2>&1); st=$?
is "$st" 1 "without the module: exit 1"
like "$out" 'does not exist: load the module' "... saying to load it"
[ ! -e "$T/out.csv" ]; ok $? "... and no -o FILE"
out=$($P -p $$ -g /dev/null 2>&1); st=$?
is "$st" 1 "-g alone without the module: exit 1, before the truth is read"
done_testing
