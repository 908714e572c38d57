#!/usr/bin/env bash
# workload_options.t - workload/guest's command line, on the host (no KVM
# needed): --help, and a clear error with a non-zero exit (never a crash)
# for every kind of bad input.
source "$(dirname "$0")/../lib/tap.sh"
G=$EPTSCOPE_ROOT/workload/guest
[ -x "$G" ] || skip_all "workload/guest is not built (make -C workload)"

o=$("$G" --help 2>&1); rc=$?
is "$rc" 0 "--help exits 0"
for opt in --mem --vcpus --seconds --backing --node --pattern --mix \
	--address-spaces --switch-rate --pt-writes --seed --truth --slot-churn \
	--dirty-log --warmup --no-prefault --dry-run --remap --dirty-toggle \
	--device-slots --batch --interval --fault --kvm-dev --vhost-net; do
	like "$o" "^ +$opt( |\[|$)" "--help documents $opt"
done

# bad ARGS... REGEX: exit status 2 (not a signal) and the message.
bad() {
	local want=$1 out rc
	shift
	out=$("$G" --dry-run "$@" 2>&1 >/dev/null); rc=$?
	is "$rc" 2 "exit 2: $*"
	like "$out" "$want" "message for: $*"
}
bad 'must be more than 0' --mem 0
bad 'unknown suffix' --mem 12Q
bad 'not a size' --mem abc
bad 'not a size' --mem -4M
bad 'not a multiple of 4K' --mem 1000
bad 'too large' --mem 1T
bad 'too large' --mem 99999999999999T
bad 'multiple of 2M with --backing hugetlb' --mem 3M --backing hugetlb
bad 'out of range \(want 1-64\)' --vcpus 0
bad 'out of range' --vcpus 65
bad 'not an integer' --vcpus two
bad 'out of range' --seconds 0
bad 'out of range' --seconds -1
bad 'not a number' --seconds soon
bad 'unknown backing' --backing ramdisk
bad 'want ud, pf or gp' --fault segv
bad 'exclude each other' --dirty-toggle --dirty-log /tmp/x
bad 'does not work with --backing hugetlb' --remap --backing hugetlb --mem 2M
bad 'out of range' --remap=0
bad 'out of range' --dirty-toggle=0
bad "unknown pattern 'gauss'" --pattern gauss
bad 'bad percentage hot=150%' --pattern hotcold:hot=150%
bad 'bad percentage hot=-5%' --pattern hotcold:hot=-5%
bad 'bad percentage hot=abc' --pattern hotcold:hot=abc
bad 'leaves no hot set' --pattern hotcold:hot=0%
bad 'bad probability p=1.5' --pattern hotcold:p=1.5
bad "unknown parameter 'q'" --pattern hotcold:q=1
bad 'bad exponent' --pattern zipf:s=-1
bad 'bad n=0' --pattern phases:n=0
bad 'bad every' --pattern phases:every=0
bad 'empty hot set' --mem 64K --pattern hotcold:hot=1%
bad 'r\+w\+x must be 100' --mix r=70,w=20
bad 'bad percentage w=200' --mix w=200
bad "unknown access type 'q'" --mix q=100
bad 'out of range' --address-spaces 0
bad 'out of range' --address-spaces 65
bad 'out of range' --switch-rate -5
bad 'not an unsigned integer' --seed -1
bad 'no such NUMA node|no NUMA support' --node 999
bad 'unknown option' --frobnicate
bad 'unexpected argument' extra

out=$("$G" --dry-run --truth /nonexistent/dir/truth 2>&1); rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ]
ok $? "unwritable --truth fails cleanly (exit $rc)"
like "$out" 'truth /nonexistent/dir/truth: No such file' "unwritable --truth: message"

out=$("$G" --mem 4M --seconds 1 --kvm-dev /nonexistent/kvm 2>&1); rc=$?
is "$rc" 1 "no KVM device: exit 1"
like "$out" 'cannot open /nonexistent/kvm: No such file or directory \(no KVM here' "no KVM device: message"

out=$("$G" --mem 4M --seconds 1 --kvm-dev /dev/null 2>&1); rc=$?
is "$rc" 1 "not a KVM device: exit 1"
like "$out" '/dev/null is not a KVM device' "not a KVM device: message"

# --exits: known exits; refused with --fault, or where no MMIO page fits.
bad 'exits -1: out of range|--exits' --exits -1
bad 'exclude each other' --exits 10 --fault pf
out=$("$G" --mem 1020M --exits 5 --dry-run 2>&1); rc=$?
is "$rc" 2 "--exits on a slot that ends on 1 GiB: exit 2"
like "$out" 'ends on a 1 GiB boundary' "... saying why"
"$G" --mem 16M --exits 5 --dry-run >/dev/null 2>&1
is "$?" 0 "--exits 5 on 16M: accepted"

# --halts: known halts woken by the in-kernel LAPIC; not with --exits,
# whose HLTs must reach the VMM.
bad 'halts -1: out of range|--halts' --halts -1
bad 'halts 100001: out of range|--halts' --halts 100001
bad '--halts and --exits exclude each other' --halts 10 --exits 10
"$G" --mem 16M --halts 5 --dry-run >/dev/null 2>&1
is "$?" 0 "--halts 5: accepted"
# --name: QEMU's -name, for kvm_stat -g and kvmstat -g.
bad 'want a name without commas' --name a,b
"$G" --mem 16M --name vm1 --dry-run >/dev/null 2>&1
is "$?" 0 "--name vm1: accepted"

# --vhost-net tx=N,rx=M[,stall=K][,detach=K]: each field checked; both
# counts 0 is nothing to do; stall below rx, detach below tx; not with
# --fault.
bad 'nothing to do' --vhost-net tx=0
bad 'nothing to do' --vhost-net tx=0,rx=0,stall=0
bad "unknown field 'foo'" --vhost-net tx=1,foo=2
bad 'want tx=N,rx=M' --vhost-net 1000
bad 'tx=x: not a count' --vhost-net tx=x
bad 'rx=-5: not a count' --vhost-net rx=-5
bad 'tx=: not a count' --vhost-net tx=
bad 'rx=1e3: not a count' --vhost-net rx=1e3
bad 'out of range \(want 0-10000000\)' --vhost-net tx=10000001
bad 'given twice' --vhost-net tx=1,tx=2
bad 'stall=K must be less than rx=M' --vhost-net tx=10,rx=100,stall=100
bad 'stall=K must be less than rx=M' --vhost-net tx=10,stall=5
bad 'detach=K must be less than tx=N' --vhost-net tx=10,detach=10
bad 'detach=K must be less than tx=N' --vhost-net rx=10,detach=3
bad 'detach=x: not a count' --vhost-net tx=10,detach=x
bad 'detach=-1: not a count' --vhost-net tx=10,detach=-1
bad 'detach=10000001: out of range' --vhost-net tx=10,detach=10000001
bad "unknown field 'detatch' \(want tx, rx, stall, detach, start\)" --vhost-net tx=10,detatch=3
bad '--vhost-net and --fault exclude each other' --vhost-net tx=10 --fault ud
bad 'start -1: out of range' --vhost-net tx=10,start=-1
bad 'start soon: not a number' --vhost-net tx=10,start=soon
out=$("$G" --mem 16M --vhost-net tx=10,rx=5,stall=2 --dry-run 2>&1); rc=$?
is "$rc" 0 "--vhost-net tx=10,rx=5,stall=2: accepted"
# 6 ring pages and 512 buffers of 2 KiB: 262 pages.
like "$out" '^region kind=vring gfn_start=([0-9]+) gfn_end=' "... with a vring region"
vr=$(printf '%s\n' "$out" | awk '/^region kind=vring/ { split($3, a, "="); split($4, b, "="); print b[2] - a[2] }')
is "$vr" 262 "... of 262 pages (6 of rings, 256 of buffers)"
"$G" --mem 16M --vhost-net tx=10,rx=5,detach=4 --dry-run >/dev/null 2>&1
is "$?" 0 "--vhost-net tx=10,rx=5,detach=4: accepted"
"$G" --mem 16M --vhost-net tx=10,detach=0 --dry-run >/dev/null 2>&1
is "$?" 0 "--vhost-net tx=10,detach=0 (never): accepted"
"$G" --help 2>&1 | grep -q 'detach=K: after K TX frames'
ok $? "--help explains detach=K"
out=$("$G" --mem 16M --dry-run 2>&1)
unlike "$out" 'kind=vring' "no vring region without --vhost-net"

done_testing
