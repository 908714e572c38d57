# experiments/guest.sh - what the captures share inside the lab VM (they
# run from the repository copy there): starting workload/guest and waiting
# until it runs, and running a capture again once when its 2-vCPU guest
# dies of the known emulated-NPT fault (docs/workload.md, "Known lab
# problem"). POSIX sh for busybox; source it, it runs nothing by itself.

# guest_start OUT GUEST_OPTIONS...: start workload/guest in the background
# with its output in OUT; $g is its pid. Returns when the guest prints
# "running" (0) or dies before that (1).
guest_start() {
	gs_out=$1
	shift
	workload/guest "$@" >$gs_out 2>&1 &
	g=$!
	while ! grep -q '^running' $gs_out && kill -0 $g 2>/dev/null; do
		sleep 0.02
	done
	grep -q '^running' $gs_out
}

# guest_retry OUT COMMAND...: run COMMAND (one capture, whose guest writes
# OUT) up to twice. COMMAND returns 0 when done, 2 when its guest died of
# the emulated-NPT fault (run it once more), anything else on a failure.
# A dead guest's output is kept as OUT.failedN, with a line in
# $LAB_OUT/retries. Returns COMMAND's status, or 1 when the guest died twice.
guest_retry() {
	gr_out=$1
	shift
	gr_try=1
	while :; do
		"$@"
		gr_st=$?
		[ $gr_st -eq 2 ] || return $gr_st
		mv $gr_out $gr_out.failed$gr_try
		echo "$(basename $gr_out), try $gr_try: the guest died: $(grep -m1 -e 'triple fault' -e '^guest:' $gr_out.failed$gr_try)" >>$LAB_OUT/retries
		if [ $gr_try -ge 2 ]; then
			echo "the guest died twice (the emulated-NPT fault)"
			return 1
		fi
		gr_try=$((gr_try + 1))
	done
}
