# tests/lib/cpu_window.sh - the CPU time a counter tool spends per record
# in its steady state, shared by tests/lab/kvm_stat.t and
# experiments/kvm-stats. POSIX sh: the capture half runs in the lab VM
# (busybox), the reading half on the host.
#
#   cpu_window PREFIX SECONDS CMD [ARG...]   (lab) run CMD, its output in
#       PREFIX.log; from its first record (a line that starts with a digit,
#       at most 90 s on), SECONDS of it: PREFIX.open (tenths of a second to
#       the first record), PREFIX.t0 and PREFIX.t1 ("utime stime records",
#       utime and stime in clock ticks) at both ends; then stop CMD.
#   cpu_window_ms PREFIX       CPU ms per record over the window ("" if none)
#   cpu_window_ticks PREFIX    clock ticks over the window
#   cpu_window_records PREFIX  records written in the window
#   cpu_window_opened PREFIX   seconds to the first record

cpu_window() {
	_p=$1 _s=$2
	shift 2
	PYTHONUNBUFFERED=1 "$@" >"$_p.log" 2>&1 &
	_c=$!
	# The steady state starts at the first record: the counters are then
	# open (perf events take seconds under TCG, Python starts in seconds).
	_i=0
	while [ $_i -lt 900 ] && ! grep -qs '^[0-9]' "$_p.log"; do
		sleep 0.1
		_i=$((_i + 1))
	done
	echo $_i >"$_p.open"
	echo "$(cut -d' ' -f14,15 /proc/$_c/stat) $(grep -c '^[0-9]' "$_p.log")" >"$_p.t0"
	sleep "$_s"
	echo "$(cut -d' ' -f14,15 /proc/$_c/stat) $(grep -c '^[0-9]' "$_p.log")" >"$_p.t1"
	kill $_c
	wait $_c
}

# _cpu_window_awk PREFIX PROGRAM: PROGRAM over PREFIX.t0 then PREFIX.t1,
# with u0 (utime + stime) and r0 (records) from the first.
_cpu_window_awk() {
	awk "NR == FNR { u0 = \$1 + \$2; r0 = \$3; next } $2" "$1.t0" "$1.t1" 2>/dev/null
}
cpu_window_ms() {
	_cpu_window_awk "$1" '{ if ($3 > r0) printf "%.3f", 10 * ($1 + $2 - u0) / ($3 - r0) }'
}
cpu_window_ticks() { _cpu_window_awk "$1" '{ print $1 + $2 - u0 }'; }
cpu_window_records() { _cpu_window_awk "$1" '{ print $3 - r0 }'; }
cpu_window_opened() { awk '{ printf "%.1f", $1 / 10 }' "$1.open" 2>/dev/null; }
