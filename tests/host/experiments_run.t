#!/usr/bin/env bash
# experiments_run.t - experiments/run and experiments/compare without the
# lab, on stub experiments in a temporary tree (experiments/run, lib.sh,
# compare and lab/lib.sh linked from this repository; lab/setup and make
# lab stubbed): a complete passing run becomes the reference; a scratch run
# (--out) and a failed run leave it untouched, the failed one showing
# FAILED first in both READMEs; a partial run updates only its row;
# compare passes figures within tolerance and flags those out of it or
# missing; --fresh-machine records setup and downloads in the index.
. "$(dirname "$0")/../lib/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LAB_ABI=6.1.0-0-test
unset EXP_RESULTS_ROOT LAB_CACHE

T=$tmp/tree
mkdir -p "$T/experiments/aa-pass" "$T/experiments/bb-check" "$T/lab"
for f in experiments/run experiments/lib.sh experiments/compare lab/lib.sh; do
	ln -s "$EPTSCOPE_ROOT/$f" "$T/$f"
done
# lab/setup: not set up (--check fails unless STUB_SET_UP=1); a setup that
# fetches two downloads, noted the way lab/setup notes them.
cat >"$T/lab/setup" <<'EOS'
#!/usr/bin/env bash
. "$(dirname "$0")/lib.sh"
[ "${1:-}" = --check ] && exit $((1 - ${STUB_SET_UP:-0}))
mkdir -p "$LAB_CACHE" && : >"$(lab_fetched_log)"
printf 'Get:1 http://deb.debian.org/debian bookworm/main qemu [1 kB]\nFetched 267 MB in 5s (53.4 MB/s)\n' | lab_note_fetched "host packages"
printf 'Fetched 26.7 MB in 0s (154 MB/s)\n' | lab_note_fetched "lab kernel image"
EOS
printf 'lab:\n\t@true\n' >"$T/Makefile"
# aa-pass: always passes; two figures whose values the environment sets.
cat >"$T/experiments/aa-pass/run" <<'EOS'
#!/usr/bin/env bash
# title: a stub that passes
. "$(dirname "$0")/../lib.sh"
exp_init
exp_check 0 "a claim that holds"
exp_figure ratio "${STUB_RATIO:-0.50}" share 0.05 "a ratio, absolute tolerance"
[ -n "${STUB_NO_RATE:-}" ] || exp_figure rate "${STUB_RATE:-1000}" /s 10% "a rate, relative tolerance"
exp_finish
EOS
# bb-check: its claim fails when STUB_FAIL=1.
cat >"$T/experiments/bb-check/run" <<'EOS'
#!/usr/bin/env bash
# title: a stub whose claim can fail
. "$(dirname "$0")/../lib.sh"
exp_init
exp_check "${STUB_FAIL:-0}" "the stub's own claim holds"
echo "${STUB_MARK:-first}" >"$EXP_RESULTS/mark.txt"
exp_finish
EOS
chmod +x "$T/lab/setup" "$T/experiments/aa-pass/run" "$T/experiments/bb-check/run"
R=$T/results
sums() { (cd "$1" && find . -type f | sort | xargs md5sum); }
# after_title FILE: its first lines after the title and a blank line.
after_title() { sed -n '3,6p' "$1"; }

# ---- a complete passing run, on a fresh machine: the reference -------------------
"$T/experiments/run" --setup --fresh-machine >"$tmp/out" 2>"$tmp/err"
is "$?" 0 "a complete run of passing stubs succeeds"
[ -f "$R/README.md" ] && [ -f "$R/aa-pass/README.md" ] && [ -f "$R/bb-check/README.md" ]
ok $? \
	"... and writes results/: the index and each experiment's folder"
[ ! -e "$T/results.staging" ] && [ ! -e "$T/results.failed" ]
ok $? "... leaving no staging or failed folder"
idx=$(cat "$R/README.md")
unlike "$idx" 'FAILED' "... and its index says nothing failed"
like "$idx" '^\| \[bb-check\]\(bb-check/README.md\) \| passed \| [0-9]+ \|$' "... with a row per experiment"
like "$idx" '^- Command: `experiments/run --setup --fresh-machine` \(all experiments\)$' "... the command that ran"
like "$idx" '^## A fresh machine$' "--fresh-machine: the index says the run started on a fresh machine"
like "$idx" '^- setup \(lab/setup and make lab\): \*\*[0-9]+ s\*\*; the experiments: [0-9]+ s$' "... with the setup time"
like "$idx" 'host packages 267 MB; lab kernel image 26.7 MB; in all 294 MB$' "... and the downloads lab/setup noted from apt-get's Fetched lines"
like "$(cat "$R/aa-pass/figures.tsv")" "^# Kernel ABI \(lab guest kernel\): $LAB_ABI$" "figures.tsv carries the provenance"
like "$(cat "$R/aa-pass/figures.tsv")" $'^ratio\t0.50\tshare\t0.05\ta ratio, absolute tolerance$' "... and a line per figure"
like "$(cat "$R/aa-pass/README.md")" '^\| rate \| 1000 \| /s \| 10% \| a rate, relative tolerance \|$' "the README lists the headline figures"
like "$(cat "$tmp/out")" '^== no results/ yet: no reference to compare with$' "... and says it had no reference to compare with"

STUB_SET_UP=1 "$T/experiments/run" --setup --fresh-machine >/dev/null 2>"$tmp/err"
is "$?" 2 "--fresh-machine refuses a machine where lab/setup --check passes"
like "$(cat "$tmp/err")" 'not fresh' "... saying why"
"$T/experiments/run" --fresh-machine >/dev/null 2>"$tmp/err"
is "$?" 2 "--fresh-machine without --setup is a usage error"
ref_sums=$(sums "$R")

# ---- a scratch run ----------------------------------------------------------------
STUB_MARK=scratch "$T/experiments/run" --out "$tmp/scratch" >"$tmp/out" 2>&1
is "$?" 0 "a scratch run (--out DIR) succeeds"
is "$(sums "$R")" "$ref_sums" "... and leaves results/ untouched"
is "$(cat "$tmp/scratch/bb-check/mark.txt" 2>/dev/null)" scratch "... writing its results into DIR"
like "$(cat "$tmp/scratch/README.md" 2>/dev/null)" '^- Command: `experiments/run --out .*` \(all experiments; a scratch run\)$' "... with its own index"
"$T/experiments/run" --out "$R/x" >/dev/null 2>"$tmp/err"
is "$?" 2 "--out inside results/ is refused"
[ ! -e "$R/x" ]
ok $? "... before it makes the folder"
echo "# a README of somebody's" >"$tmp/other.md"
mkdir -p "$tmp/other" && cp "$tmp/other.md" "$tmp/other/README.md"
"$T/experiments/run" --out "$tmp/other" >/dev/null 2>"$tmp/err"
is "$?" 2 "--out into a folder whose README.md experiments/run did not write is refused"
is "$(cat "$tmp/other/README.md")" "$(cat "$tmp/other.md")" "... and that README is left as it was"
is "$(make -s -n -C "$EPTSCOPE_ROOT" experiment OUT=/tmp/scratch E=root-hpa)" \
	"experiments/run --setup   --out '/tmp/scratch' root-hpa" "make experiment OUT=DIR E=NAME runs experiments/run --out DIR NAME"
is "$(make -s -n -C "$EPTSCOPE_ROOT" experiment HOST=1 E=sampler-accuracy)" \
	"experiments/run --setup  --host  sampler-accuracy" "make experiment HOST=1 runs experiments/run --host"

# ---- a failed run ------------------------------------------------------------------
STUB_FAIL=1 STUB_MARK=failed "$T/experiments/run" >"$tmp/out" 2>"$tmp/err"
is "$?" 1 "a run with a failed check fails"
is "$(sums "$R")" "$ref_sums" "... and leaves the reference untouched"
F=$T/results.failed
is "$(cat "$F/bb-check/mark.txt" 2>/dev/null)" failed "... keeping its results in results.failed/"
like "$(after_title "$F/README.md")" '^\*\*FAILED: 1 of 2 experiments failed, so results/ was left as it was' "the index opens with a FAILED banner"
like "$(after_title "$F/README.md")" "^- bb-check: the stub's own claim holds$" "... listing the failed check"
like "$(after_title "$F/bb-check/README.md")" '^\*\*FAILED: 1 check\(s\) failed' "the failed experiment's README opens with a FAILED banner"
like "$(after_title "$F/bb-check/README.md")" "^- the stub's own claim holds$" "... listing the failed check"
like "$(tail -n 4 "$tmp/err")" '^== results/ was left as it was. This run.s results: results.failed/ \(index: results.failed/README.md\)$' "the run says loudly where its results are"

# ---- partial runs ------------------------------------------------------------------
STUB_FAIL=1 STUB_MARK=partial-failed "$T/experiments/run" bb-check >/dev/null 2>&1
is "$?" 1 "a failed partial run fails"
is "$(sums "$R")" "$ref_sums" "... and leaves the reference untouched"
bb_row=$(grep '^| \[bb-check\]' "$R/README.md")
STUB_RATIO=0.52 STUB_MARK=second "$T/experiments/run" aa-pass >/dev/null 2>&1
is "$?" 0 "a passing partial run succeeds"
like "$(cat "$R/aa-pass/figures.tsv")" $'^ratio\t0.52\t' "... replaces its experiment's results"
like "$(grep '^| \[aa-pass\]' "$R/README.md")" '\| passed \| [0-9]+ \(run again alone, 20[0-9-]+ [0-9:]+ UTC, source [^)]+\) \|$' "... and its row, marked as run alone"
is "$(grep '^| \[bb-check\]' "$R/README.md")" "$bb_row" "... and no other row"
is "$(cat "$R/bb-check/mark.txt")" first "... nor another experiment's results"
[ ! -e "$F" ]
ok $? "... and removes the stale results.failed/"

# ---- compare ----------------------------------------------------------------------
# compared VAR=VALUE...: a scratch run of aa-pass with that environment,
# then compare against the reference: its output in $cmp, status $cmp_st.
compared() {
	rm -rf "$tmp/s"
	env "$@" "$T/experiments/run" --out "$tmp/s" aa-pass >/dev/null 2>&1
	cmp=$("$T/experiments/compare" "$tmp/s" "$R")
	cmp_st=$?
}
compared STUB_RATIO=0.55 STUB_RATE=1090
is "$cmp_st" 0 "compare: figures within tolerance (absolute and relative) pass"
like "$cmp" '^  ratio +0.52 +0.55 +share +0.05 +ok$' "... each shown with both values, the tolerance and ok"
compared STUB_RATE=1111
is "$cmp_st" 1 "compare: a figure out of its relative tolerance fails"
like "$cmp" '^  rate +1000 +1111 +/s +10% +OUT OF TOLERANCE$' "... and is flagged"
compared STUB_RATIO=0.60
is "$cmp_st" 1 "compare: a figure out of its absolute tolerance fails"
like "$cmp" '^  ratio +0.52 +0.60 .* OUT OF TOLERANCE$' "... and is flagged"
compared STUB_NO_RATE=1
is "$cmp_st" 1 "compare: a figure missing from the run fails"
like "$cmp" '^  rate +1000 +- .* MISSING$' "... and is flagged"
like "$cmp" '^compare: figures: 1 agree, 0 out of tolerance, 1 missing' "... and counted"
like "$(STUB_RATE=1111 "$T/experiments/run" --out "$tmp/s" aa-pass 2>&1)" 'OUT OF TOLERANCE' "experiments/run prints the comparison at the end"
like "$(cat "$tmp/s/README.md")" '^## Headline figures against the reference$' "... and records it in the index"
printf 'ratio\tlots\tshare\t0.05\tbad\n' >"$tmp/s/aa-pass/figures.tsv"
"$T/experiments/compare" "$tmp/s" "$R" >/dev/null 2>"$tmp/err"
is "$?" 2 "compare: a malformed figures.tsv is an error"
like "$(cat "$tmp/err")" 'line 1 is not a figure' "... that names the line"
"$T/experiments/compare" "$tmp/none" "$R" >/dev/null 2>"$tmp/err"
is "$?" 2 "compare: a missing folder is an error"
like "$("$T/experiments/compare" --help)" '^Usage: experiments/compare \[RUN_DIR\] \[REF_DIR\]' "compare --help"

# ---- lib.sh: where results go, bad figures -----------------------------------------
before=$(sums "$R")
"$T/experiments/aa-pass/run" >/dev/null 2>"$tmp/err"
is "$?" 2 "an experiment run without EXP_RESULTS_ROOT stops"
like "$(cat "$tmp/err")" 'EXP_RESULTS_ROOT is not set: run experiments through experiments/run' "... saying how to run it"
is "$(sums "$R")" "$before" "... before it writes anything into results/"
mkdir -p "$tmp/x/zz-fig"
cat >"$tmp/x/zz-fig/run" <<EOS
#!/usr/bin/env bash
. "$T/experiments/lib.sh"
exp_init
exp_figure good 1.5 - 10% "a good figure"
exp_figure good 1.5 - 10% "the same again"
exp_figure noval "" - 0.1 "a figure that could not be measured"
exp_figure badtol 2 - ten "a tolerance in words"
exp_figure ratio "\$(exp_ratio 1 0)" - 0.1 "a ratio over nothing"
exp_finish
EOS
chmod +x "$tmp/x/zz-fig/run"
EXP_RESULTS_ROOT=$tmp/xr "$tmp/x/zz-fig/run" >/dev/null 2>"$tmp/err"
is "$?" 1 "exp_figure: bad figures fail the experiment"
like "$(cat "$tmp/err")" 'CHECK FAILED: exp_figure good: each figure is recorded once' "... a figure given twice"
like "$(cat "$tmp/err")" "CHECK FAILED: exp_figure noval: the value '' is a number" "... an empty value"
like "$(cat "$tmp/err")" "CHECK FAILED: exp_figure badtol: the tolerance 'ten' is a number" "... a tolerance in words"
like "$(cat "$tmp/err")" "CHECK FAILED: exp_figure ratio: the value '' is a number" "... exp_ratio over 0 gives no value"
is "$(grep -vc '^#' "$tmp/xr/zz-fig/figures.tsv")" 1 "... and only the good figure is recorded"
like "$("$T/experiments/run" --help)" '--out DIR +a scratch run' "experiments/run --help names --out"
done_testing
