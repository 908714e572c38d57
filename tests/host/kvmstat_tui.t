#!/usr/bin/env bash
# kvmstat_tui.t - kvmstat's full-screen view, driven in a terminal as a
# user would (tmux: send-keys, capture-pane), on saved statistics
# (--stats-file): the default on a terminal, its columns, kvm_stat's keys
# (f filter, c clear, o sort order, x child events, r reset, s interval,
# h help, q quit; g and p, which pick running VMs, refused on saved
# statistics; tests/lab/kvmstat_tui.t switches between live VMs), and an unknown terminal refused with a clear message.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C
command -v tmux >/dev/null || skip_all "no tmux (lab/host-packages)"
make -s -C kvmstat >/dev/null || skip_all "kvmstat does not build"
scratch_dir
. "$EPTSCOPE_ROOT/tests/lib/kvm_stats_blob.sh"
S=eptscope-tui-$$
export TMUX_TMPDIR=$tmp	# a tmux server of this test's own
trap 'tmux kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

vcpu_blob 0 7 "1 2 0 0 5" "3 0 1 2" >"$tmp/vcpu0"
{
	blob "kvm-1234" 3
	desc 2 0 1 0 0 max_mmu_rmap_size
	desc 1 0 1 8 0 pages_4k
	desc 0 0 1 16 0 "child(EVENT)"	# a name as child events have them
	u64s 9 100 4
} >"$tmp/vm"

# screen: the pane's text; wait_for REGEX: until the pane shows it (5 s).
screen() { tmux capture-pane -p -t "$S"; }
wait_for() {
	local i
	for ((i = 0; i < 50; i++)); do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tmux send-keys -t "$S" "$@"; sleep 0.3; }

tmux new-session -d -s "$S" -x 100 -y 30 \
	"kvmstat/kvmstat --stats-file $tmp/vm --stats-file $tmp/vcpu0 -i -s 0.5; echo EXIT=\$?; sleep 30"
wait_for '^Event ' ; ok $? "on a terminal, kvmstat starts the full-screen view by default"
s=$(screen)
like "$s" '^kvmstat all VMs  interval 0\.5 s  sorted by current rate' "the header: the VMs, the interval, the order"
like "$s" '^Event +Total +%Total +CurAvg/s$' "kvm_stat's columns: Event, Total, %Total, CurAvg/s"
like "$s" '^exits +7 +100\.0% +0\.0$' "a counter: its total since the VM started (-i), share and rate"
like "$s" '^pages_4k +100 +instant$' "an instant value: its value and its type, no share or rate"
unlike "$s" 'child\(EVENT\)' "child events are hidden at first, as in kvm_stat"

keys x
wait_for '^child\(EVENT\) +4 '; ok $? "x shows the child events"
keys x
sleep 0.3
unlike "$(screen)" 'child\(EVENT\)' "x again hides them"

keys f
wait_for '^filter '; ok $? "f asks for a filter"
keys pages Enter
wait_for 'filter: pages$'; ok $? "... and the header shows it"
s=$(screen)
like "$s" '^pages_4k ' "the filter keeps the matching statistics"
unlike "$s" '^exits ' "... and only them"
keys c
wait_for '^exits '; ok $? "c clears the filter"
keys f
keys '(' Enter
wait_for 'not a valid regular expression'; ok $? "a bad regular expression is said, not fatal"

keys o
wait_for 'sorted by total'; ok $? "o sorts by total"
keys r
wait_for 'totals reset'; ok $? "r resets the totals"
like "$(screen)" '^exits +0 ' "... to 0"
keys s
keys 2 Enter
wait_for 'interval 2\.0 s'; ok $? "s sets the update interval"
keys s
keys 99 Enter
wait_for 'the interval is 0\.1 to 25\.5 seconds'; ok $? "... within kvm_stat's bounds"
keys h
wait_for 'the full-screen view \(kvm_stat.s keys\)'; ok $? "h shows the keys"
s=$(screen)
like "$s" '^  g   watch the VMM of a guest name' "... g among them"
like "$s" '^  p   watch the VMM of a pid' "... and p"
keys Space
wait_for '^Event '; ok $? "... and any key goes back"
keys p
wait_for '^pid \(empty for every VM\):'; ok $? "p asks for a pid"
keys 1234 Enter
wait_for 'saved statistics \(--stats-file\) are one VM.s: g and p pick running VMs'
ok $? "... and on saved statistics says it picks running VMs only"
like "$(screen)" '^exits ' "... leaving the view as it was"
keys g
wait_for '^guest name \(empty for every VM\):'; ok $? "g asks for a guest name"
keys vm1 Enter
wait_for 'g and p pick running VMs'; ok $? "... and says the same"
keys q
wait_for '^EXIT=0$'; ok $? "q quits with status 0"
tmux kill-session -t "$S"

tmux new-session -d -s "$S" -x 100 -y 30 \
	"TERM=no-such-term kvmstat/kvmstat --stats-file $tmp/vm; echo EXIT=\$?; sleep 30"
wait_for '^EXIT='
s=$(screen)
like "$s" "terminal 'no-such-term' unknown \(set TERM, or use -l\)" "an unknown terminal is said"
like "$s" '^EXIT=1$' "... with status 1"
tmux kill-session -t "$S"

out=$(timeout 3 kvmstat/kvmstat --stats-file "$tmp/vm" -s 0.5 | head -n 2)
like "$out" ' max_mmu_rmap_size pages_4k $' "not on a terminal: kvm_stat's log (its banner of names), not the view"
done_testing
