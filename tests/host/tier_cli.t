#!/usr/bin/env bash
# tier_cli.t - eptscope-tier's options on a machine without the module:
# --help (its man page against its options: man_pages.t), bad options and missing or
# equal nodes exit 2 with a message that says which, a node this machine
# does not have exits 2 naming the nodes it has, and no module loaded
# exits 1 saying to load it (with two nodes; the lab test tier.t has it
# too); the oracle policy and --truth go together. analysis/placement's options: analysis_placement.t.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C
make -s -C tier >/dev/null || { echo "1..0 # SKIP tier does not build"; exit 0; }
T=tier/tier
scratch_dir
nodes=$(numa_nodes) absent=$(($(numa_nodes) + 3))

help_ok $T

usage_error_ok 'PID is required' $T --fast-node 0 --slow-node 0
usage_error_ok 'are required' $T -p 1 --fast-node 0
usage_error_ok 'must differ' $T -p 1 --fast-node 0 --slow-node 0
usage_error_ok "no such NUMA node on this machine \\(nodes 0 to $((nodes - 1))\\)" $T -p 1 --fast-node $absent --slow-node 0
usage_error_ok 'no such NUMA node' $T -p 1 --fast-node 0 --slow-node -1
usage_error_ok 'fast-ratio takes' $T -p 1 -f 0 -s $absent -r 0
usage_error_ok 'policy takes rate, decay, oracle or random' $T -p 1 -P lru
usage_error_ok 'truth goes with --policy oracle, and oracle needs it' $T -p 1 -f 0 -s 0 -P oracle
usage_error_ok 'truth goes with --policy oracle' $T -p 1 -f 0 -s 0 -g /dev/null
usage_error_ok 'truth /nonexistent: No such file' $T -p 1 -f 0 -s 0 -P oracle -g /nonexistent
usage_error_ok 'weights takes R,W,X' $T -p 1 -W 1,2
usage_error_ok 'weights takes R,W,X' $T -p 1 -W 1,2,x
usage_error_ok 'interval takes' $T -p 1 -i 1
usage_error_ok 'max-mbps takes' $T -p 1 -m 0
usage_error_ok 'mode takes' $T -p 1 -M never
usage_error_ok 'out of range' $T -p 99999999999
usage_error_ok 'unexpected argument' $T -p 1 extra

if [ -e /proc/kvm_ept_sample ]; then
	diag "the module is loaded on this machine: its absence is not tested"
	done_testing
	exit
fi
out=$($T -p $$ --fast-node 0 --slow-node "$([ "$nodes" -gt 1 ] && echo 1 || echo 0)" 2>&1); st=$?
if [ "$nodes" -gt 1 ]; then
	is "$st" 1 "tier without the module exits 1"
	like "$out" 'does not exist: load the module' "... saying to load it"
else
	is "$st" 2 "one node here: --fast-node 0 --slow-node 0 is refused first"
	ok 0 "# SKIP one NUMA node: the module error is tested in the lab"
fi
done_testing
