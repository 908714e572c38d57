#!/usr/bin/env bash
# experiments_lib.t - experiments/lib.sh and experiments/run without the
# lab: checks that fail make the experiment fail and say so in its README,
# first under the title; raw logs are cut to a bound, the README carries
# the provenance, EXP_REPLAY analyses a kept run again, and
# experiments/run refuses unknown names.
# (experiments_run.t tests where experiments/run puts results, and
# exp_figure with experiments/compare.)
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. lab/lib.sh
# exp_init needs a kernel ABI; without a lab set up, a made-up one does.
export LAB_ABI=${LAB_ABI:-$(lab_abi || echo 6.1.0-0-test)}

mkdir -p "$tmp/exp/zz-demo"
printf '%s\n' "set terminal dumb" "set output 'demo_'.run.'.txt'" "plot x" >"$tmp/demo.gp"
demo_gp=$(realpath --relative-to="$EPTSCOPE_ROOT" "$tmp/demo.gp")
cat >"$tmp/exp/zz-demo/run" <<EOS
#!/usr/bin/env bash
# title: a demonstration
. "$EPTSCOPE_ROOT/experiments/lib.sh"
exp_init
seq 1 100000 >"\$EXP_OUT/big.log"
EXP_KEEP_MAX=1000 exp_keep "\$EXP_OUT/big.log"
EXP_KEEP_MAX=1000 EXP_XZ_MAX=10 exp_keep "\$EXP_OUT/big.log" huge.log
exp_check 0 "a claim that holds"
exp_check "\$(exp_awk_true 'p >= 0.9' -v p=0.42; echo \$?)" "precision 0.42 >= 0.9"
n=7 bad="1 2"
exp_claim "a command that holds" [ "\$n" -ge 5 ]
exp_claim "a command that fails" exp_awk_true 'p >= 0.9' -v p=0.5
exp_claim "shell code that holds" '[ "\$n" = 7 ] && ! grep -q . /dev/null'
exp_claim "shell code that fails" '[ "\$n" = 7 ] && [ "\$n" -gt 10 ]'
exp_claim "a value that does not evaluate" '[ \$((bad + 1)) -gt 0 ]'
exp_claim "a command that reads stdin" awk '\$1 == 3 { f = 1 } END { exit !f }' < <(printf '%s\\n' 1 3)
exp_plot "$demo_gp" --for "run a" -e "run='a'"
exp_plot "$demo_gp" --for "run b" -e "run='b'"
echo "still running" >&2
exp_body <<'B'
| a | b |
|---|---|
B
exp_finish
EOS
chmod +x "$tmp/exp/zz-demo/run"
EXP_RESULTS_ROOT=$tmp/results "$tmp/exp/zz-demo/run" 2>"$tmp/err"
st=$?
R=$tmp/results/zz-demo
is "$st" 1 "a contradicted claim makes the experiment fail"
like "$(cat "$R/README.md")" '^- \[x\] a command that holds$' "exp_claim CLAIM COMMAND...: the claim holds when the command exits 0"
like "$(cat "$R/README.md")" '^- \[ \] \*\*FAILED:\*\* a command that fails$' "... and fails when it exits non-zero"
like "$(cat "$tmp/err")" 'the condition: exp_awk_true .*0\.9 -v p=0\.5 $' "... printing the command with its values"
like "$(cat "$R/README.md")" '^- \[x\] shell code that holds$' "exp_claim CLAIM 'CODE': code that exits 0 holds"
like "$(cat "$R/README.md")" '^- \[ \] \*\*FAILED:\*\* shell code that fails$' "... code that exits non-zero fails"
like "$(cat "$tmp/err")" 'the condition: \[ "\$n" = 7 \] && \[ "\$n" -gt 10 \]$' "... printing the code"
like "$(cat "$R/README.md")" '^- \[ \] \*\*FAILED:\*\* a value that does not evaluate$' "a value that breaks the condition fails the check"
like "$(cat "$tmp/err")" '^still running$' "... not the experiment"
like "$(cat "$R/README.md")" '^- \[x\] a command that reads stdin$' "exp_claim's command reads the caller's stdin"
like "$(cat "$tmp/err")" 'CHECK FAILED: precision 0.42 >= 0.9' "... loudly, on stderr"
like "$(cat "$R/README.md")" '^# zz-demo: a demonstration$' "the README is titled from the run script"
like "$(cat "$R/README.md")" '^- \[x\] a claim that holds$' "a claim that holds is listed as checked"
like "$(cat "$R/README.md")" '^- \[ \] \*\*FAILED:\*\* precision 0.42 >= 0.9$' "the failed claim is in the README"
is "$(sed -n 3p "$R/README.md")" '**FAILED: 4 check(s) failed; the data contradicts these claims:**' "... whose first line under the title is a FAILED banner"
is "$(sed -n 5p "$R/README.md")" '- precision 0.42 >= 0.9' "... that lists the failed claim"
like "$(cat "$R/README.md")" "^- Kernel ABI \(lab guest kernel\): $(lab_abi)$" "the README names the kernel ABI"
like "$(cat "$R/README.md")" '^- QEMU: QEMU emulator version ' "... the QEMU version"
like "$(cat "$R/README.md")" '^- Date: 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] ' "... and the date"
like "$(cat "$R/README.md")" '^\| a \| b \|$' "the body is in the README"
like "$(cat "$R/README.md")" '^- \[x\] gnuplot draws demo.gp for run a$' "exp_plot --for WHAT names each drawing of a script in its check"
like "$(cat "$R/README.md")" '^- \[x\] gnuplot draws demo.gp for run b$' "... the second drawing too"
[ -s "$R/demo_a.txt" ] && [ -s "$R/demo_b.txt" ]
ok $? "... each drawn into the results folder"
size=$(stat -c %s "$R/big.log")
ok_if 'size <= 1200' "a raw log is cut to its bound, and a note ($size bytes)"
like "$(tail -n 1 "$R/big.log")" '^# \[cut by experiments/lib.sh: first [0-9]+ lines of 100000, [0-9]+ bytes in all; the whole file: big.log.xz\]$' "... and says so, and where the whole file is"
is "$(sed -n 1p "$R/big.log")" 1 "... keeping its first lines"
is "$(xz -dc "$R/big.log.xz" | cmp - <(seq 1 100000) && echo same)" same "the whole log is kept, compressed: big.log.xz"
like "$(tail -n 1 "$R/huge.log")" 'not kept whole: over 10 bytes compressed\]$' "a log too large even compressed is only cut, and says so"
is "$(ls "$R"/huge.log.xz 2>/dev/null)" "" "... with no .xz left"

# A host run (make experiment HOST=1): exp_lab runs the command here, with
# LAB_OUT, and the README says hardware. EXP_HOST_REQUIRE_KVM=0 lets it run
# on this machine, which has no KVM.
mkdir -p "$tmp/exp/zz-host"
cat >"$tmp/exp/zz-host/run" <<EOS
#!/usr/bin/env bash
# title: a host run
. "$EPTSCOPE_ROOT/experiments/lib.sh"
exp_init
exp_lab --vcpus 2 --timeout 20 -- 'echo "here=\$(pwd)" >\$LAB_OUT/where'
exp_check "\$(grep -qx "here=$EPTSCOPE_ROOT" "\$EXP_OUT/where"; echo \$?)" "the command ran in the repository, here"
exp_lab --shadow -- 'true' 2>/dev/null
exp_finish
EOS
chmod +x "$tmp/exp/zz-host/run"
EXP_HOST=1 EXP_HOST_REQUIRE_KVM=0 EXP_RESULTS_ROOT=$tmp/results "$tmp/exp/zz-host/run" 2>"$tmp/host.err"
is "$?" 1 "a host run: exp_lab --shadow stops the experiment (it needs the lab VM)"
R=$tmp/results/zz-host
like "$(cat "$R/README.md")" '^- \[x\] the command ran in the repository, here$' "a host run: exp_lab ran the command on this host, LAB_OUT given"
like "$(cat "$R/README.md")" 'FAILED:\*\* lab run 1 \(lab/run --shadow\) succeeds \(exit 70\)' "... and --shadow fails as a host run's exit 70"
like "$(cat "$R/README.md")" '^\*\*A host run: hardware figures\.\*\*' "... and the README says hardware figures"
like "$(cat "$R/README.md")" '^- Kernel \(this host, a host run\): ' "... with this host's kernel"
like "$(cat "$R/README.md")" '^- Host runs \(hardware figures\): `on this host: sh -c' "... and its host runs"
# The host run's dmesg check: a WARNING that appears while the command
# runs fails it (125), as in the lab. A fake dmesg gains the line on its
# second call.
mkdir -p "$tmp/fakebin"
cat >"$tmp/fakebin/dmesg" <<EOS
#!/bin/sh
echo "[    1.000000] booted"
[ -e "$tmp/dmesg.called" ] && echo "[    9.000000] WARNING: CPU: 0 PID: 1 at kvm_ept_sample.c:1 ept_thing+0x1/0x2"
touch "$tmp/dmesg.called"
EOS
chmod +x "$tmp/fakebin/dmesg"
(. "$EPTSCOPE_ROOT/experiments/lib.sh"; EXP_OUT=$tmp PATH=$tmp/fakebin:$PATH exp_host_run "$tmp/warn.log" --timeout 5 -- true)
is "$?" 125 "a host run whose dmesg gains a WARNING fails with 125"
like "$(cat "$tmp/warn.log")" '^dmesg: \[    9.000000\] WARNING: CPU: 0' "... and its log shows the line"
if [ ! -w /dev/kvm ]; then
	EXP_HOST=1 EXP_RESULTS_ROOT=$tmp/results experiments/sampler-accuracy/run >/dev/null 2>"$tmp/nokvm.err"
	is "$?" 1 "a host run without a usable /dev/kvm stops at once"
	like "$(cat "$tmp/nokvm.err")" 'needs (root|a usable /dev/kvm)' "... saying what it needs"
fi
experiments/run --host cross-validation >/dev/null 2>"$tmp/err"
is "$?" 2 "experiments/run --host: an experiment without '# host: yes' is refused"
like "$(cat "$tmp/err")" 'cross-validation runs only in the lab' "... saying it runs only in the lab"

# EXP_REPLAY=DIR: a KEEP=1 run's work folder analysed again, with no
# lab run: its out/ comes back in EXP_OUT, and the README says so.
mkdir -p "$tmp/exp/zz-replay" "$tmp/kept/out"
echo "samples=42" >"$tmp/kept/out/capture"
cat >"$tmp/exp/zz-replay/run" <<EOS
#!/usr/bin/env bash
# title: a replay
. "$EPTSCOPE_ROOT/experiments/lib.sh"
exp_init
exp_lab --vcpus 2 -- 'exit 1'
exp_claim "the kept capture is read again" grep -qx samples=42 "\$EXP_OUT/capture"
exp_finish
EOS
chmod +x "$tmp/exp/zz-replay/run"
EXP_REPLAY=$tmp/kept EXP_RESULTS_ROOT=$tmp/results "$tmp/exp/zz-replay/run" 2>"$tmp/replay.err"
is "$?" 0 "EXP_REPLAY: the lab run is skipped (its command would fail) and the kept outputs pass the checks"
R=$tmp/results/zz-replay
like "$(cat "$R/README.md")" '^- \*\*Replayed:\*\* the raw outputs of an earlier run \('"$tmp"'/kept, ' "... and the README says the data was replayed, from where"
like "$(cat "$R/README.md")" 'lab/run --vcpus 2 -- … \(replayed from ' "... and which lab run it stands for"
EXP_REPLAY=$tmp/nosuch EXP_RESULTS_ROOT=$tmp/results "$tmp/exp/zz-replay/run" >/dev/null 2>"$tmp/replay.err"
is "$?" 2 "EXP_REPLAY of a folder without out/ is a usage error"
like "$(cat "$tmp/replay.err")" 'EXP_REPLAY=.*: no out/ folder' "... that says what is missing"

# The run scripts' text helpers.
. "$EPTSCOPE_ROOT/experiments/lib.sh"
is "$(echo 'a=1 key=v2 key=v3' | kv key)" v2 "kv: the value of the first KEY= token"
is "$(echo 'akey=1' | kv key)" "" "kv: nothing for a token that only ends in KEY="
is "$(fmt 0.98765) $(fmt 0.98765 3) $(fmt '') $(fmt nan)" "0.99 0.988 - -" "fmt: decimals, '-' when missing or nan"
is "$(trim ' a, b;')" "a, b" "trim: the leading space and a trailing ;"

experiments/run no-such-experiment >/dev/null 2>"$tmp/err"
is "$?" 2 "experiments/run: an unknown name is a usage error"
like "$(cat "$tmp/err")" "no experiment 'no-such-experiment'" "... that names it"
like "$(experiments/run --help)" '^Usage: experiments/run' "experiments/run --help"
done_testing
