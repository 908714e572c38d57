#!/usr/bin/env bash
# lab_guard.t - lab/run's guards: a kernel WARNING fails the run, a clean
# run passes, a command that outlives its timeout is stopped with a clear
# message, $LAB_OUT comes back with --out, and a VM that dies before init
# is reported as a boot failure (retried), never as a test result.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

out=$(lab/run -- insmod tests/kmod/lab_warn.ko 2>&1)
st=$?
is $st 125 "a module that WARNs on load fails the run with 125"
like "$out" 'dmesg: .*WARNING: CPU: .*lab_warn' "the WARNING line is printed"

out=$(lab/run -- true 2>&1)
st=$?
is $st 0 "a clean run passes"
unlike "$out" 'dmesg:' "a clean run reports no kernel problem"

out=$(lab/run --timeout 3 -- sh -c 'echo started; sleep 300; echo finished' 2>&1)
st=$?
is $st 124 "a command past its timeout exits 124"
like "$out" 'timeout: COMMAND ran longer than 3 s and was stopped' "the timeout is stated plainly"
like "$out" '^started$' "output before the timeout streamed"
unlike "$out" '^finished$' "the command was really stopped"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
lab/run --out "$tmp/out" -- sh -c 'mkdir -p $LAB_OUT/d && echo hello >$LAB_OUT/d/f && head -c 100000 /dev/urandom >$LAB_OUT/r && md5sum <$LAB_OUT/r' >"$tmp/log" 2>&1
ok $? "a run with --out succeeds"
is "$(cat "$tmp/out/d/f" 2>/dev/null)" "hello" "a file under \$LAB_OUT came back"
is "$(md5sum <"$tmp/out/r" 2>/dev/null | cut -d' ' -f1)" "$(head -n 1 "$tmp/log" | cut -d' ' -f1)" "binary data came back intact"

out=$(LAB_KERNEL_ARGS=rdinit=/no-such-init lab/run --retries 1 -- true 2>&1)
st=$?
is $st 75 "a VM that never reaches init exits 75"
is "$(printf '%s\n' "$out" | grep -c 'boot failure: the VM died before reaching its init')" 2 "both attempts are reported as boot failures"
like "$out" 'retrying the boot \(1 of 1 retries\)' "the retry is reported"
like "$out" 'not a test result' "it says this is not a test result"
done_testing
