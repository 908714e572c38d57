#!/usr/bin/env bash
# kmod_compat.t - a program written against the ORIGINAL kvm-ept-sample
# API, exactly as its README shows (tests/progs/ept_compat.c), runs
# unchanged: 4-byte {gfn:29, xwr:3} records, non-blocking reads, the
# 1200..1204 ioctls, and the GET_MEMSLOTS layout; and a 32-bit process
# (tests/progs/ept_compat32.c, through the compat ioctl path) gets the
# same memslots, samples and statistics as a 64-bit one.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

lab/run --out "$tmp" --timeout 180 -- sh -c '
	insmod kmod/kvm_ept_sample.ko || exit 1
	workload/guest --mem 16M --seconds 12 --interval 0 --mix r=50,w=50 >$LAB_OUT/guest.out 2>&1 & g=$!
	sleep 2
	tests/progs/ept_compat $g 7 1000 4 >$LAB_OUT/compat.out 2>$LAB_OUT/compat.err || exit 1
	tests/progs/ept_compat $g 2 1000 3 >$LAB_OUT/compat-w.out 2>$LAB_OUT/compat-w.err || exit 1
	tests/progs/ept_compat32 $g 2 >$LAB_OUT/c32.out 2>&1 || exit 1
	analysis/eptsample -p $g -d 0.5 -m -o $LAB_OUT/m64.log 2>/dev/null || exit 1
	wait $g' >"$tmp/run.log" 2>&1
st=$?
ok $st "the original-API client runs in the lab"
[ $st -eq 0 ] || sed 's/^/# /' "$tmp/run.log" | tail -n 20

n=$(grep -c '^gfn = [0-9a-f]*, wxr = [0-7]$' "$tmp/compat.out")
ok_if "${n:-0} >= 100" "it prints samples in the README's format ($n)"
bad=$(grep -vc '^gfn = [0-9a-f]*, wxr = [0-7]$' "$tmp/compat.out")
is "$bad" 0 "every line is a well-formed sample"
end=$(sed -n 's/^memslot slot=0 .* gfn_end=\([0-9]*\) .*/\1/p' "$tmp/guest.out")
out_of_slot=$(gawk -v e="$end" '{ g = strtonum("0x" substr($3, 1, length($3) - 1)); if (g >= e) n++ } END { print n + 0 }' "$tmp/compat.out")
is "$out_of_slot" 0 "every gfn lies in the guest's memslot (0..$end)"
types=$(sed -n 's/.*wxr = //p' "$tmp/compat.out" | sort -u | tr '\n' ' ')
like "$types" '^1 2 ' "reads (1) and writes (2) are reported with the original bit values"
wtypes=$(sed -n 's/.*wxr = //p' "$tmp/compat-w.out" | sort -u | tr '\n' ' ')
is "$wtypes" "2 " "SET_PROT 2 (w only) gives only write samples"

c32=$(cat "$tmp/c32.out")
like "$c32" '^bits=32 memslot_size=20$' "the 32-bit client has the 32-bit layout (20-byte memslot entries)"
like "$c32" '^version=5$' "it reads the API version"
for call in set_format init set_freq get_memslots get_stats get_stats_sized deinit; do
	like "$c32" "^$call=ok$" "$call works from 32 bits"
done
m32=$(sed -n 's/^memslot //p' "$tmp/c32.out")
m64=$(sed -n 's/^# memslot //p' "$tmp/m64.log")
is "$m32" "$m64" "its memslots equal the 64-bit reader's ($m32)"
ge "$(sed -n 's/^samples=//p' "$tmp/c32.out")" 100 "it reads format-2 samples"
like "$c32" '^stats_size=(1[3-9][0-9]|[2-9][0-9][0-9]) ' "GET_STATS_SIZED fills more than the version-4 part"
done_testing
