#!/usr/bin/env bash
# debian_packages.t - dpkg-buildpackage -us -uc -b builds eptscope's two
# packages from a copy of this tree (when debhelper and dh-dkms are
# installed): eptscope holds every tool of make tools as
# usr/bin/eptscope-NAME with its man page, and the tapsets; eptscope-dkms
# holds the module's source and dkms.conf in usr/src and depends on dkms.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
command -v dpkg-buildpackage >/dev/null || skip_all "no dpkg-buildpackage (apt install dpkg-dev)"
command -v dh >/dev/null || skip_all "no debhelper (apt install debhelper)"
command -v dh_dkms >/dev/null || skip_all "no dh_dkms (apt install dh-dkms)"
scratch_dir

# The tracked files as they are here (a build writes ../*.deb).
mkdir -p "$tmp/src/eptscope"
git ls-files -z --cached --others --exclude-standard -- . ':!results' ':!lab/cache' |
	xargs -0 cp --parents -t "$tmp/src/eptscope" 2>/dev/null
(cd "$tmp/src/eptscope" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1
st=$?
ok $st "dpkg-buildpackage -us -uc -b builds the packages"
[ $st -eq 0 ] || tail -n 30 "$tmp/build.log" | sed 's/^/# /'
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
tools=$(ls "$tmp/src"/eptscope_"$ver"_*.deb 2>/dev/null) dkms=$(ls "$tmp/src"/eptscope-dkms_"$ver"_all.deb 2>/dev/null)
[ -n "$tools" ] && [ -n "$dkms" ]
ok $? "... eptscope_${ver}_ARCH.deb and eptscope-dkms_${ver}_all.deb"
[ -n "$tools" ] && [ -n "$dkms" ] || { done_testing; exit; }

files=$(dpkg-deb -c "$tools" | awk '{ print $6 }' | sed 's|^\./|/|')
diag "eptscope: $(grep -c '[^/]$' <<<"$files") files"
for p in $(make -s tools); do
	n=eptscope-$(basename "$p")
	like "$files" "^/usr/bin/$n\$" "eptscope has /usr/bin/$n"
	for page in "$(dirname "$p")/$n".[18]; do
		like "$files" "^/usr/share/man/man${page##*.}/$n.${page##*.}.gz\$" "... and its man page, man${page##*.}/$n.${page##*.}.gz"
	done
done
for t in tapsets/*.stp; do
	like "$files" "^/usr/share/systemtap/tapset/linux/eptscope_$(basename "$t")\$" "eptscope has the tapset $(basename "$t")"
done
unlike "$files" '^/usr/local/|^/usr/src/|\.ko$' "... and nothing in /usr/local, no module"
like "$(dpkg-deb -f "$tools" Depends)" 'libc6' "eptscope depends on libc6 (shlibs)"

name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' kmod/dkms.conf) mver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' kmod/dkms.conf)
files=$(dpkg-deb -c "$dkms" | awk '{ print $6 }' | sed 's|^\./|/|')
diag "eptscope-dkms: $(grep -c '[^/]$' <<<"$files") files"
for f in dkms.conf Kbuild main.c include/kvm_ept_sample.h; do
	like "$files" "^/usr/src/$name-$mver/$f\$" "eptscope-dkms has /usr/src/$name-$mver/$f"
done
is "$(grep -c "^/usr/src/$name-$mver/[a-z_]*\.c\$" <<<"$files")" "$(ls kmod/*.c | grep -vc '\.mod\.c$')" "... every source file of kmod/, no build product"
unlike "$files" '\.(o|ko|mod\.c)$' "... and no object"
like "$(dpkg-deb -f "$dkms" Depends)" '\bdkms\b' "eptscope-dkms depends on dkms"
dpkg-deb -e "$dkms" "$tmp/ctl"
like "$(cat "$tmp/ctl/postinst" 2>/dev/null)" 'dkms' "... and its postinst builds the module through DKMS"
done_testing
