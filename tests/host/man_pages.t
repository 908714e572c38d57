#!/usr/bin/env bash
# man_pages.t - every tool make install installs (make tools) has a man
# page beside its source, DIR/eptscope-NAME.1 or .8, that man renders
# without a warning and that names the same long options as the tool's
# --help: each --option of the help is \-\-option in the page, and each
# \-\-option of the page is in the help. make install DESTDIR=... stages
# each page into share/man/manN.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
scratch_dir
make -s user >"$tmp/build.log" 2>&1 || { diag "$(tail -n 20 "$tmp/build.log")"; skip_all "make user failed"; }
command -v man >/dev/null || skip_all "no man (apt install man-db)"

# help_options TOOL / page_options PAGE: the long options each names, one a line.
help_options() { "$1" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/-*$//' | sort -u; }
page_options() { grep -oE '\\-\\-[a-z]([a-z0-9]|\\-)*' "$1" | sed 's/\\-/-/g; s/-*$//' | sort -u; }

tools=$(make -s tools)
ge "$(wc -w <<<"$tools")" 7 "make tools lists the installed tools ($(wc -w <<<"$tools"))"
for p in $tools; do
	n=eptscope-$(basename "$p")
	pages=$(ls "$(dirname "$p")/$n".[18] 2>/dev/null)
	is "$(wc -w <<<"$pages")" 1 "$p: one man page, $(dirname "$p")/$n.1 or .8"
	page=$(head -n 1 <<<"$pages")
	[ -n "$page" ] || continue
	is "$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)" "" "$page: man renders it without a warning"
	like "$(sed -n '/^\.TH /p' "$page")" "^\\.TH ${n^^} ${page##*.} " "$page: its .TH names $n and section ${page##*.}"
	[ -x "$p" ] || { ok 1 "$p is built"; continue; }
	help=$(help_options "$p") man=$(page_options "$page")
	ge "$(wc -l <<<"$help")" 2 "$p --help names its long options ($(wc -l <<<"$help"))"
	is "$(comm -23 <(echo "$help") <(echo "$man") | tr '\n' ' ')" "" "$page: every long option of --help is in the page"
	is "$(comm -13 <(echo "$help") <(echo "$man") | tr '\n' ' ')" "" "$page: every long option of the page is in --help"
done

# A staged install puts each page into share/man/manN, and nothing
# outside DESTDIR.
make -s install DESTDIR="$tmp/stage" PREFIX=/usr >"$tmp/install.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr"
for p in $tools; do
	n=eptscope-$(basename "$p")
	for page in "$(dirname "$p")/$n".[18]; do
		[ -f "$page" ] || continue
		cmp -s "$page" "$tmp/stage/usr/share/man/man${page##*.}/$n.${page##*.}"
		ok $? "... stages $page as usr/share/man/man${page##*.}/$n.${page##*.}"
	done
done
is "$(find "$tmp/stage/usr/share/man" -type f | wc -l)" "$(for p in $tools; do ls "$(dirname "$p")/eptscope-$(basename "$p")".[18]; done 2>/dev/null | wc -l)" \
	"... and no other man page"
done_testing
