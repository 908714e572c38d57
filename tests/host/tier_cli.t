#!/usr/bin/env bash
# tier_cli.t - eptscope-tier's and analysis/placement's options on a
# machine without the module: --help (every long option in the man page),
# bad options and missing or equal nodes exit 2 with a message that says
# which, a node this machine does not have exits 2 naming the nodes it
# has, and no module loaded exits 1 saying to load it.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C
make -s -C tier >/dev/null && make -s -C analysis placement >/dev/null ||
	{ echo "1..0 # SKIP tier or placement does not build"; exit 0; }
T=tier/tier P=analysis/placement
scratch_dir
nodes=$(ls -d /sys/devices/system/node/node[0-9]* 2>/dev/null | wc -l)
absent=$((nodes + 3))

for prog in "$T" "$P"; do
	out=$($prog --help); st=$?
	is "$st" 0 "$prog --help exits 0"
	like "$out" 'Examples:' "$prog --help has examples"
	like "$out" 'Exit status' "$prog --help gives the exit codes"
done
for m in tier/eptscope-tier.8 analysis/eptscope-placement.1; do
	prog=$T; [ "$m" = analysis/eptscope-placement.1 ] && prog=$P
	missing=$($prog --help | grep -o -E -- '--[a-z][a-z-]+' | sort -u |
		while read -r opt; do grep -qF -- "$(printf '%s' "$opt" | sed 's/-/\\-/g')" "$m" || echo "$opt"; done)
	is "$missing" "" "every long option of $prog --help is in $m"
done

bad() { # EXPECTED-MESSAGE ARGS...
	local msg=$1 out st
	shift
	out=$("$@" 2>&1); st=$?
	is "$st" 2 "'$*' exits 2"
	like "$out" "$msg" "... saying: $msg"
}
bad 'PID is required' $T --fast-node 0 --slow-node 0
bad 'are required' $T -p 1 --fast-node 0
bad 'must differ' $T -p 1 --fast-node 0 --slow-node 0
bad "no such NUMA node on this machine \\(nodes 0 to $((nodes - 1))\\)" $T -p 1 --fast-node $absent --slow-node 0
bad 'no such NUMA node' $T -p 1 --fast-node 0 --slow-node -1
bad 'fast-ratio takes' $T -p 1 -f 0 -s $absent -r 0
bad 'policy takes rate or decay' $T -p 1 -P lru
bad 'weights takes R,W,X' $T -p 1 -W 1,2
bad 'weights takes R,W,X' $T -p 1 -W 1,2,x
bad 'interval takes' $T -p 1 -i 1
bad 'max-mbps takes' $T -p 1 -m 0
bad 'mode takes' $T -p 1 -M never
bad 'out of range' $T -p 99999999999
bad 'unexpected argument' $T -p 1 extra
bad 'PID is required' $P log
bad 'LOG is required' $P -p 1
bad 'no such NUMA node on this machine' $P -p 1 -n $absent log
bad 'fast-ratio takes' $P -p 1 -r 1.5 log
bad 'format: csv or json' $P -p 1 -F xml log
bad 'No such file' $P -p 1 -o "$tmp/out.csv" "$tmp/none.log"
[ -e "$tmp/out.csv" ]; ok $((!$?)) "no -o FILE after a failed open"

if [ -e /proc/kvm_ept_sample ]; then
	skip_all "the module is loaded on this machine"
fi
out=$(sleep 5 & $T -p $! --fast-node 0 --slow-node "$([ "$nodes" -gt 1 ] && echo 1 || echo 0)" 2>&1); st=$?
if [ "$nodes" -gt 1 ]; then
	is "$st" 1 "tier without the module exits 1"
	like "$out" 'does not exist: load the module' "... saying to load it"
else
	is "$st" 2 "one node here: --fast-node 0 --slow-node 0 is refused first"
	ok 0 "# SKIP one NUMA node: the module error is tested in the lab"
fi
printf '# eptsample pid=1 freq=1 types=rwx start_ns=1\nt=1 vcpu=0 gfn=0x1 type=r-- level=1 delay=5\n' >"$tmp/one.log"
out=$($P -p $$ -o "$tmp/out.csv" "$tmp/one.log" 2>&1); st=$?
is "$st" 1 "placement without the module exits 1"
like "$out" 'does not exist: load the module' "... saying to load it"
[ -e "$tmp/out.csv" ]; ok $((!$?)) "... and writes no -o FILE"
done_testing
