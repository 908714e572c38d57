#!/usr/bin/env bash
# workload_truth.t - the ground-truth file workload/guest writes (--dry-run,
# no KVM needed), checked against answers worked out by hand.
source "$(dirname "$0")/../lib/tap.sh"
G=$EPTSCOPE_ROOT/workload/guest
[ -x "$G" ] || skip_all "workload/guest is not built (make -C workload)"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

hdr() { sed -n "s/^# $2=//p" "$1"; }
nhot() { awk -v ph="${2:-0}" '/^[0-9]/ && $2 == ph && $4 == 1' "$1" | wc -l | tr -d ' '; }
sumshare() { awk -v ph="${2:-0}" '/^[0-9]/ && $2 == ph { s += $3 } END { printf "%.6f", s }' "$1"; }

# 256M = 65536 frames; 10% of them = 6553.6 -> 6554 hot frames.
o=$("$G" --mem 256M --vcpus 2 --pattern hotcold:hot=10%,p=0.9 --mix r=70,w=30 --dry-run --truth "$t/hc"); rc=$?
is "$rc" 0 "dry run exits 0"
like "$o" '^region kind=data gfn_start=0 gfn_end=65536$' "data region: gfn 0-65536"
like "$o" '^region kind=pt gfn_start=[0-9]+ gfn_end=[0-9]+$' "page-table region listed"
unlike "$o" '^memslot' "dry run creates no memslot"
is "$(hdr "$t/hc" hot_frames)" 6554 "header: hot_frames=6554"
is "$(nhot "$t/hc")" 6554 "6554 frames marked hot"
is "$(grep -c '^[0-9]' "$t/hc")" 65536 "one line per frame"
is "$(hdr "$t/hc" data_frames)" 65536 "header: data_frames=65536"
is "$(hdr "$t/hc" mix)" "r=70,w=30,x=0" "header: mix"
is "$(sumshare "$t/hc")" 1.000000 "shares sum to 1"
is "$(awk '/^[0-9]/ && $4 == 1 { s += $3 } END { printf "%.6f", s }' "$t/hc")" 0.900000 "hot set takes p=0.9"
is "$(awk '/^[0-9]/ && $4 == 1 { print $3; exit }' "$t/hc")" "$(awk 'BEGIN { printf "%.12g", 0.9 / 6554 }')" \
	"each hot frame: 0.9/6554"
is "$(awk '/^[0-9]/ && $4 == 0 { print $3; exit }' "$t/hc")" "$(awk 'BEGIN { printf "%.12g", 0.1 / (65536 - 6554) }')" \
	"each cold frame: 0.1/58982"
# Scattered: the hot frames are not simply the first ones.
awk '/^[0-9]/ && $4 == 1 && $1 >= 6554 { f = 1 } END { exit !f }' "$t/hc"
ok $? "hot set is scattered by default"

# Reproducible with a seed, different with another.
"$G" --mem 256M --pattern hotcold:hot=10%,p=0.9 --dry-run --truth "$t/hc2" >/dev/null
"$G" --mem 256M --pattern hotcold:hot=10%,p=0.9 --seed 2 --dry-run --truth "$t/hc3" >/dev/null
is "$(awk '/^[0-9]/' "$t/hc" | md5sum)" "$(awk '/^[0-9]/' "$t/hc2" | md5sum)" "same seed, same truth"
! cmp -s <(awk '/^[0-9]/' "$t/hc") <(awk '/^[0-9]/' "$t/hc3")
ok $? "other seed, other hot set"

# Contiguous: frames 0..nhot-1.  16M = 4096 frames, 25% = 1024.
"$G" --mem 16M --pattern hotcold:hot=25%,p=1,contiguous --dry-run --truth "$t/c" >/dev/null
is "$(awk '/^[0-9]/ && $4 == 1 { n++; if ($1 > m) m = $1 } END { print n, m }' "$t/c")" "1024 1023" \
	"contiguous hot set = frames 0-1023"
is "$(awk '/^[0-9]/ && $4 == 0 && $3 != 0' "$t/c" | wc -l | tr -d ' ')" 0 "p=1: cold frames have share 0"

# Uniform and seq: every frame 1/N.
for p in uniform seq; do
	"$G" --mem 4M --pattern $p --dry-run --truth "$t/$p" >/dev/null
	is "$(awk '/^[0-9]/ { print $3 }' "$t/$p" | sort -u)" "$(awk 'BEGIN { printf "%.12g", 1 / 1024 }')" "$p: every frame 1/1024"
	is "$(nhot "$t/$p")" 1024 "$p: all frames in the hot set"
done

# Zipf s=1.1 over 1024 frames: share of rank k = k^-1.1 / H.
"$G" --mem 4M --pattern zipf:s=1.1,contiguous --dry-run --truth "$t/z" >/dev/null
is "$(sumshare "$t/z")" 1.000000 "zipf: shares sum to 1"
want=$(awk 'BEGIN { for (k = 1; k <= 1024; k++) h += k ^ -1.1; printf "%.6g %.6g", 1 / h, 2 ^ -1.1 / h }')
is "$(awk '/^[0-9]/ && $1 < 2 { printf "%s%.6g", (NR > 0 && $1 ? " " : ""), $3 }' "$t/z")" "$want" "zipf: top two shares"
awk '/^[0-9]/ { if (seen && $3 > prev + 1e-15) bad = 1; prev = $3; seen = 1 } END { exit bad }' "$t/z"
ok $? \
	"zipf contiguous: shares fall with the frame number"
want=$(awk 'BEGIN { for (k = 1; k <= 1024; k++) { w[k] = k ^ -1.1; h += w[k] } for (k = 1; k <= 1024; k++) { c += w[k] / h; if (c >= 0.9 - 1e-12) { print k; exit } } }')
is "$(hdr "$t/z" hot_frames)" "$want" "zipf: hot set = top ranks covering 90% ($want)"

# Phases: n=4, 10% hot each; the hot set moves by its own size.
"$G" --mem 4M --pattern phases:every=1,n=4,hot=10%,p=0.8 --seconds 4 --dry-run --truth "$t/ph" >/dev/null
is "$(hdr "$t/ph" phases)" 4 "phases: 4 in the header"
is "$(hdr "$t/ph" phase_seconds)" 1 "phases: 1 s each"
is "$(grep -c '^[0-9]' "$t/ph")" 4096 "phases: one line per frame and phase"
for k in 0 1 2 3; do
	is "$(nhot "$t/ph" $k) $(sumshare "$t/ph" $k)" "102 1.000000" "phase $k: 102 hot frames, shares sum to 1"
done
is "$(awk '/^[0-9]/ && $4 == 1 { n[$1]++ } END { for (f in n) if (n[f] > 1) d++; print d + 0 }' "$t/ph")" 0 \
	"phases: the 4 hot sets are disjoint"
like "$(grep '^# phase=2 ' "$t/ph")" '^# phase=2 hot_frames=102 hot_share=0.8$' "per-phase header line"

# Sys regions are listed and come after the data frames.
is "$(awk '/^# sys kind=/ { split($4, a, "="); if (a[2] < 1024) bad++ } END { print bad + 0 }' "$t/ph")" 0 \
	"sys regions lie above the data frames"

done_testing
