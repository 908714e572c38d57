#!/usr/bin/env bash
# kmod_badinput.t - /proc/kvm_ept_sample answers bad input with the errors
# docs/kmod.md documents, never a crash: unprivileged opens, missing and
# non-VM pids, bad prot/freq/format/expiry/censored flag, the statistics'
# sizes, short and unaligned reads (with
# nothing written past the buffer), bad user pointers, INIT twice and a
# second session on one VM. lab/run fails the run on any kernel splat.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

out=$(lab/run --timeout 180 -- sh -c '
	insmod kmod/kvm_ept_sample.ko || exit 1
	workload/guest --mem 16M --seconds 60 --interval 0 >/dev/null 2>&1 & g=$!
	sleep 2
	tests/progs/ept_badinput $g; st=$?
	kill $g; wait $g
	rmmod kvm_ept_sample || st=1
	exit $st' 2>&1)
ok $? "the bad-input run completes with a clean dmesg"

expect() { # NAME ERRNO
	got=$(printf '%s\n' "$out" | sed -n "s/^$1 errno=//p")
	is "$got" "$2" "$1 -> $2"
}
expect open_nobody EACCES
expect open_root_without_caps EPERM
expect read_before_init ENXIO
expect getmemslots_before_init ENXIO
expect deinit_before_init ENXIO
expect init_pid0 EINVAL
expect init_pid_negative EINVAL
expect init_pid_missing ESRCH
expect init_not_a_vm ENODEV
expect prot0 EINVAL
expect prot8 EINVAL
expect freq_huge EINVAL
expect format3 EINVAL
expect expire_auto "OK(0)"
expect expire_huge EINVAL
expect expire_ok "OK(0)"
expect censored2 EINVAL
expect censored_ok "OK(0)"
expect revisit65 EINVAL
expect revisit_ok "OK(0)"
expect mode4 EINVAL
expect mode_faults "OK(0)"
expect unknown_cmd ENOTTY
expect version "OK(5)"
expect stats_badptr EFAULT
expect stats_v4 "OK(0)"
like "$out" '^stats_v4 intact=1$' "GET_STATS writes the version-4 layout only (128 bytes)"
expect stats_sized_badptr EFAULT
expect stats_sized_bad_array EFAULT
expect stats_sized_small "OK(0)"
like "$out" '^stats_small size=8 intact=1$' "GET_STATS_SIZED writes only the size asked for"
expect stats_sized_big "OK(0)"
like "$out" '^stats_big size=([0-9]+) struct=\1 intact=1$' "GET_STATS_SIZED fills the whole struct and says so"
expect init_guest "OK(0)"
expect init_twice EALREADY
expect init_second_session EBUSY
expect getmemslots_badptr EFAULT
expect getmemslots_bad_array EFAULT
expect getmemslots_ok "OK(0)"
like "$out" '^memslots count=1 gpa0=0x0 pages0=[1-9]' "GET_MEMSLOTS reports the guest's RAM slot"
expect poll "OK(1)"
expect read_short_v2 EINVAL
expect read_unaligned_v2 EINVAL
expect read_badptr_v2 EFAULT
expect read_one_v2 "OK(32)"
like "$out" '^canary_v2 intact=1$' "a 32-byte read writes nothing past 32 bytes"
expect read_short_v1 EINVAL
expect read_unaligned_v1 EINVAL
expect read_badptr_v1 EFAULT
expect read_one_v1 "OK(4)"
like "$out" '^canary_v1 intact=1$' "a 4-byte read writes nothing past 4 bytes"
expect deinit "OK(0)"
expect deinit_again ENXIO
expect reinit_guest "OK(0)"
done_testing
