#!/usr/bin/env bash
# kvmstat_tui.t - kvmstat's full-screen view on live VMs in the lab, driven
# in tmux (from the host tools' disk: lab/run --host-tools) as a user would:
# two guests named vmA and vmB (workload/guest --name, QEMU's -name); the
# view starts on every VM, p PID watches one VMM, g NAME the other, an
# empty answer every VM again; a pid that is no VMM and a name no VMM has
# are refused with the view left as it was; q quits with status 0.
# (tests/host/kvmstat_tui.t drives the other keys on saved statistics.)
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
export LC_ALL=C

lab_required
command -v tmux >/dev/null || skip_all "no tmux on the host for the lab's host tools (lab/host-packages)"
scratch_dir
O=$tmp/out
run_lab() {
	lab_run_sh "$O" '
export TMUX_TMPDIR=/tmp
workload/guest --mem 16M --vcpus 1 --seconds 200 --name vmA >$O/a.out 2>&1 & a=$!
workload/guest --mem 16M --vcpus 2 --seconds 200 --name vmB >$O/b.out 2>&1 & b=$!
echo "$a $b" >$O/pids
for f in a b; do
	while ! grep -qs "^tick" $O/$f.out && kill -0 $a $b 2>/dev/null; do sleep 0.5; done
done
tmux new-session -d -s k -x 120 -y 40 "kvmstat/kvmstat -s 1; echo EXIT=\$?; sleep 100" 2>$O/tmux.err
# shot NAME REGEX: wait (60 s at most) until the pane shows REGEX, then
# keep the pane as NAME (its status: NAME.rc). After a failed one, none.
shot() {
	[ -e $O/failed ] && return 1
	i=0
	while [ $i -lt 120 ] && ! tmux capture-pane -p -t k | grep -Eq -- "$2"; do
		sleep 0.5; i=$((i + 1))
	done
	tmux capture-pane -p -t k >$O/$1.txt 2>>$O/tmux.err
	[ $i -lt 120 ]; echo $? >$O/$1.rc
	[ $i -lt 120 ] || touch $O/failed
}
ask() {
	tmux send-keys -t k "$1"; sleep 1
	if [ -n "$2" ]; then tmux send-keys -t k "$2" Enter; else tmux send-keys -t k Enter; fi
}
shot start "^Event "
ask p "$a"; shot pid_a "watching pid $a"
shot pid_a_rows "^exits "
ask g vmB; shot guest_b "watching pid $b"
ask p ""; shot all "watching every VM"
ask p 1; shot not_vmm "pid 1 has no KVM VM open"
ask g nosuch; shot no_name "no guest named"
tmux send-keys -t k q; shot quit "^EXIT="
kill $a $b; wait
true
' --host-tools --timeout 400 >"$tmp/run.log" 2>&1
}
lab_run_ok "$tmp/run.log" "the lab run with the host tools succeeds with a clean dmesg" run_lab

read -r a b <"$O/pids" 2>/dev/null
shot_ok() { is "$(cat "$O/$1.rc" 2>/dev/null)" 0 "$2"; }
pane() { cat "$O/$1.txt" 2>/dev/null; }
shot_ok start "the view starts on a terminal in the lab (tmux from the host tools)"
[ "$(cat "$O/start.rc" 2>/dev/null)" = 0 ] || sed 's/^/# tmux: /' "$O/tmux.err" 2>/dev/null | head -n 5
like "$(pane start)" '^kvmstat all VMs ' "... watching every VM"
shot_ok pid_a "p ${a:-?}: kvmstat says it watches vmA's VMM"
like "$(pane pid_a)" "^kvmstat pid ${a:-x} " "... and its header names the pid"
shot_ok pid_a_rows "... and shows its statistics"
shot_ok guest_b "g vmB: kvmstat finds vmB's VMM (pid ${b:-?}) by its -name"
like "$(pane guest_b)" "^kvmstat pid ${b:-x} " "... and its header names that pid"
shot_ok all "p with no answer: every VM again"
like "$(pane all)" '^kvmstat all VMs ' "... in the header too"
shot_ok not_vmm "p 1: a pid that is no VMM is refused"
like "$(pane not_vmm)" '^kvmstat all VMs ' "... and the view stays on what it watched"
shot_ok no_name "g nosuch: a name no VMM has is refused"
like "$(pane no_name)" '^exits ' "... and the view still shows the statistics"
shot_ok quit "q quits"
like "$(pane quit)" '^EXIT=0$' "... with status 0"
[ "$(cat "$O/quit.rc" 2>/dev/null)" = 0 ] || pane quit | sed 's/^/# /'
done_testing
