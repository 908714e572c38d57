#!/usr/bin/env bash
# docs_options.t - every option that a tool's page in docs/ lists in its
# option table appears in the tool's --help, and every option of --help
# is in that table (workload/guest, lab/run, eptsample, histo, hotness,
# xval). The tables are read with doc_options (tests/lib/tap.sh).
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

# The long options at the start of --help's option lines.
help_options() {
	grep -Eo '^ +(-[a-zA-Z0-9], )?--[a-z0-9][a-z0-9-]*' <<<"$1" |
		grep -Eo -- '--[a-z0-9-]+' | sort -u
}

# check TOOL DOC HEADING [OPTION...]: the OPTIONs are in --help and need
# not be in the table (--help itself always).
check() {
	local tool=$1 doc=$2 heading=$3 help listed opt missing extra
	shift 3
	if [ ! -x "${tool%% *}" ]; then
		ok 1 "$tool is built"
		return
	fi
	help=$($tool --help 2>&1)
	is "$?" 0 "$tool --help exits 0"
	listed=$(doc_options "$doc" "$heading")
	ge "$(wc -l <<<"$listed")" 3 "$doc${heading:+ ($heading)} has an option table for $tool"
	missing=
	for opt in $listed; do
		grep -Eq -- "(^|[ ,\[])$opt([ =,\[]|$)" <<<"$help" || missing+=" $opt"
	done
	is "${missing# }" "" "$tool --help has every option of $doc${heading:+ ($heading)}"
	extra=$(comm -23 <(help_options "$help") <(printf '%s\n' $listed --help "$@" | sort -u) | tr '\n' ' ')
	is "${extra% }" "" "$doc${heading:+ ($heading)} lists every option of $tool --help"
}

check workload/guest docs/workload.md ""
check lab/run docs/lab.md "### lab/run [options] -- COMMAND..."
check analysis/eptsample docs/kmod.md "## The reader: analysis/eptsample"
check analysis/histo docs/analysis.md "## histo"
check analysis/hotness docs/analysis.md "## hotness"
# xval's --help shows the shared record filters; --expired-only is one,
# which xval refuses, as its section says.
check analysis/xval docs/analysis.md "## xval" --expired-only

# The check itself: an option that --help lacks is found.
printf '| option | meaning |\n|---|---|\n| `--mem SIZE` | x |\n| `-b`, `--bogus-option N` | y |\n' >"${TMPDIR:-/tmp}/docopt.$$.md"
is "$(doc_options "${TMPDIR:-/tmp}/docopt.$$.md" | tr '\n' ' ')" "--bogus-option --mem " \
	"doc_options reads the long options of a table's first cells"
rm -f "${TMPDIR:-/tmp}/docopt.$$.md"
done_testing
