#!/usr/bin/env bash
# workload_vhost.t - workload/guest --vhost-net in the lab (6.1): a real
# vhost-net data path whose packet counts are known. A normal run sends,
# uses and delivers exactly N frames each way, every RX number in order;
# a stalled run stops taking RX at K while the rest waits on the tap, or
# is dropped, by the tap's own counters; a detached run (detach=K) has
# exactly K TX frames used and seen while the guest keeps kicking; traffic that starts later
# (start=S) on 2 vCPUs; vhost_net not loaded, no CAP_NET_ADMIN, no
# /dev/net/tun, a bad SPEC and a killed guest each end cleanly (no tap
# left behind).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required
scratch_dir
O=$tmp/out
N=1000
run_lab() {
	lab_run_sh "$O" '
G="workload/guest --mem 16M --vcpus 1 -q"
r() { name=$1; shift; $G "$@" >$O/$name.out 2>&1; echo $? >$O/$name.st; }
rmmod vhost_net 2>/dev/null
ls /dev/vhost-net >$O/nomod.dev 2>&1
r nomod --seconds 2 --vhost-net tx=10,rx=10
modprobe vhost_net; echo $? >$O/modprobe.st
r normal --seconds 6 --vhost-net tx='$N',rx='$N'
r stall --seconds 6 --vhost-net tx=100,rx='$N',stall=200
r drop --seconds 4 --vhost-net tx=10,rx=3000,stall=200
r detach --seconds 4 --vhost-net tx=600,rx=100,detach=200
r badspec --seconds 2 --vhost-net tx=10,rx=10,stall=10
# No CAP_NET_ADMIN over the network: root of a new user namespace.
unshare -r $G --seconds 1 --vhost-net tx=1 >$O/nocap.out 2>&1; echo $? >$O/nocap.st
# No /dev/net/tun (as without the tun module), for one run.
mv /dev/net/tun /dev/net/tun.away && r notun --seconds 1 --vhost-net tx=1
mv /dev/net/tun.away /dev/net/tun
r start --vcpus 2 --seconds 5 --vhost-net tx=500,rx=500,start=2
# Killed by a signal: the tap goes with its last fd.
$G --seconds 120 --vhost-net tx=10,rx=10 >$O/kill.out 2>&1 & g=$!
i=0
while ! grep -q "^running" $O/kill.out && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
ls /sys/class/net >$O/kill.before
kill -9 $g; wait $g; echo $? >$O/kill.st
sleep 1
ls /sys/class/net >$O/after.ls
' >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the lab run succeeds with a clean dmesg" run_lab

st() { cat "$O/$1.st" 2>/dev/null; }
# f RUN KEY: the value of KEY in RUN's vhost line.
f() { grep '^vhost ' "$O/$1.out" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# vhost_net not loaded: a clear message, exit 1.
like "$(cat "$O/nomod.dev")" 'No such file' "vhost_net unloaded: no /dev/vhost-net"
is "$(st nomod)" 1 "without vhost_net: exit 1"
like "$(cat "$O/nomod.out")" 'guest: --vhost-net: /dev/vhost-net: .*modprobe vhost_net' "... saying: modprobe vhost_net"
is "$(st modprobe)" 0 "modprobe vhost_net works in the lab VM"

# The normal run: exact counts at every point of both paths.
is "$(st normal)" 0 "tx=$N,rx=$N: the guest runs to its end"
diag "$(grep '^vhost ' "$O/normal.out")"
like "$(f normal tap)" '^eptscope[0-9]+$' "the tap is named eptscope%d"
for k in tx_sent tx_used tx_reclaimed host_tx_seen tap_rx_packets; do
	is "$(f normal $k)" "$N" "TX $k: exactly $N"
done
is "$(f normal host_tx_bad)" 0 "TX: the host saw every number in order"
is "$(f normal tap_rx_dropped)" 0 "TX: the tap dropped none"
for k in host_rx_sent tap_tx_packets rx_used rx_received rx_in_order; do
	is "$(f normal $k)" "$N" "RX $k: exactly $N"
done
is "$(f normal rx_bad)" 0 "RX: no frame out of order or not ours"
is "$(f normal tap_tx_dropped)" 0 "RX: the tap dropped none"
is "$(f normal rx_waiting)" 0 "RX: nothing left waiting on the tap"
is "$(f normal stalled)" 0 "no stall"
is "$(f normal done)" 1 "the guest sent, reclaimed and received all"
for q in tx rx; do
	ge "$(f normal ${q}_kicks)" 1 "$q: the guest kicked"
	ge "$(f normal ${q}_signals)" 1 "$q: vhost signalled the call eventfd"
	le "$(f normal ${q}_signals)" "$(f normal ${q}_used)" "$q: at most one signal per used buffer"
done
# RX was kept full: 256 posted at first, one more per frame taken.
is "$(f normal rx_posted)" $((N + 256)) "RX: 256 buffers, then one refill per frame"

# The stalled run: 200 taken, the ring used up, the rest on the tap.
is "$(st stall)" 0 "tx=100,rx=$N,stall=200: the guest runs to its end"
diag "$(grep '^vhost ' "$O/stall.out")"
is "$(f stall stalled)" 1 "the guest stalled"
is "$(f stall rx_received)" 200 "it took exactly 200"
is "$(f stall rx_in_order)" 200 "... each with its number"
is "$(f stall rx_used)" "$(f stall rx_posted)" "vhost filled every buffer the guest had posted: the RX ring ran out"
gt "$(f stall rx_used)" 200 "... more than the guest took"
is "$(f stall tap_tx_packets)" "$(f stall rx_used)" "the tap delivered exactly what vhost used"
is "$(f stall host_rx_sent)" "$N" "the host sent all $N"
is "$(( $(f stall rx_waiting) + $(f stall tap_tx_dropped) ))" "$(( N - $(f stall rx_used) ))" \
	"the rest waits on the tap or was dropped, by the tap's counters"
gt "$(f stall rx_waiting)" 0 "packets wait on the tap"
is "$(f stall tx_used)" 100 "TX goes on: 100 used"
is "$(f stall host_tx_seen)" 100 "... and 100 seen by the host"
is "$(f stall done)" 0 "not done: the guest never took the rest"

# A stall with more than the tap can hold: the tap drops the rest.
is "$(st drop)" 0 "tx=10,rx=3000,stall=200: the guest runs to its end"
diag "$(grep '^vhost ' "$O/drop.out")"
is "$(f drop rx_received)" 200 "it took exactly 200"
gt "$(f drop tap_tx_dropped)" 0 "the tap dropped frames (its queue was full)"
is "$(( $(f drop tap_tx_packets) + $(f drop rx_waiting) + $(f drop tap_tx_dropped) ))" 3000 \
	"delivered + waiting + dropped = the 3000 sent"
is "$(f drop tap_tx_packets)" "$(f drop rx_used)" "the tap delivered exactly what vhost used"

# TX's backend detached after 200 frames: exactly 200 used and seen, the
# guest posts a ring's worth more and keeps kicking; RX goes on.
is "$(st detach)" 0 "tx=600,rx=100,detach=200: the guest runs to its end"
diag "$(grep '^vhost ' "$O/detach.out")"
is "$(f detach detached)" 1 "the VMM detached TX's backend"
for k in host_tx_seen tx_used tx_reclaimed tap_rx_packets; do
	is "$(f detach $k)" 200 "TX $k: exactly 200, then nothing"
done
is "$(f detach host_tx_bad)" 0 "TX: the host saw every number in order"
is "$(f detach tx_sent)" $((200 + 256)) "the guest posted 256 more (a full ring) that vhost never used"
ge "$(f detach tx_kicks_after_detach)" 100 "the guest kept kicking after the detach (every 10 ms while buffers wait)"
le "$(f detach tx_kicks_after_detach)" "$(f detach tx_kicks)" "... counted in tx_kicks"
is "$(f detach rx_in_order)/$(f detach rx_bad)" 100/0 "RX goes on: 100 received in order"
is "$(f detach done)" 0 "not done: TX never finished"
like "$(grep '^vhost ' "$O/normal.out")" ' detach=0 detached=0 tx_kicks_after_detach=0 ' "the normal run detached nothing"

# A bad SPEC: a usage error, before any device is made.
is "$(st badspec)" 2 "stall=K not below rx=M: exit 2"
like "$(cat "$O/badspec.out")" 'stall=K must be less than rx=M' "... saying why"

# start=2 on 2 vCPUs: the traffic waits 2 s, vCPU 1 runs its pattern.
is "$(st start)" 0 "start=2 with 2 vCPUs: the guest runs to its end"
diag "$(grep '^vhost ' "$O/start.out")"
is "$(f start rx_in_order)/$(f start host_tx_seen)/$(f start done)" 500/500/1 "... every frame both ways"
done_ms=$(awk -v d="$(f start done_s)" 'BEGIN { printf "%d", d * 1000 }')
ok_if "done_ms >= 2000 && done_ms < 5000" "... done 2 to 5 s after the device's start"
acc1=$(awk '$1 == "vcpu" && $2 == "id=1" { sub("accesses=", "", $4); print $4 }' "$O/start.out")
gt "${acc1:-0}" 0 "... while vCPU 1 made its pattern's accesses"

# Without the rights for a tap, or without its clone device: clear errors.
is "$(st nocap)" 1 "without CAP_NET_ADMIN: exit 1"
like "$(cat "$O/nocap.out")" 'TUNSETIFF: Operation not permitted \(creating a tap needs CAP_NET_ADMIN\)' "... saying so"
is "$(st notun)" 1 "without /dev/net/tun: exit 1"
like "$(cat "$O/notun.out")" '/dev/net/tun: No such file or directory \(the tun module is not loaded: modprobe tun\)' "... saying: modprobe tun"

# Killed: the tap was there, and is gone with the process.
like "$(cat "$O/kill.before")" '^eptscope[0-9]+$' "the running guest's tap exists"
is "$(st kill)" 137 "the guest was killed by SIGKILL"
unlike "$(cat "$O/after.ls")" '^eptscope' "no tap is left behind, after normal exits and a SIGKILL"
done_testing
