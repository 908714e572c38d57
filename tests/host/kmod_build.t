#!/usr/bin/env bash
# kmod_build.t - the module's build rules, on the host (no lab VM):
#   - Kbuild refuses a kernel the module was not written for, with a
#     message that says which kernels it was, and how to override;
#   - DKMS skips such a kernel (BUILD_EXCLUSIVE_KERNEL, exit 77) instead of
#     failing an apt upgrade;
#   - the sources are checkpatch-clean (the kernel's own scripts/checkpatch.pl
#     from linux-source-6.1) and sparse-clean (make C=2) for the lab kernel.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1

lab_required
abi=$(cat lab/cache/abi)
kdir=/lib/modules/$abi/build
[ -f "$kdir/Makefile" ] || skip_all "no headers for $abi (lab/setup)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A copy of kmod/ (with the API header, as DKMS lays it out), so nothing
# is built in the checkout.
mkdir -p "$tmp/kmod/include"
sources=$(ls kmod/*.c kmod/*.h | grep -v '\.mod\.c$')
cp $sources kmod/Kbuild kmod/dkms.conf "$tmp/kmod/"
cp include/kvm_ept_sample.h "$tmp/kmod/include/"

out=$(make -C "$kdir" M="$tmp/kmod" VERSION=6 PATCHLEVEL=5 modules 2>&1)
rc=$?
ok_if 'rc != 0' "Kbuild refuses Linux 6.5 (make exits $rc)"
like "$out" 'kvm_ept_sample: Linux 6\.5 is not a kernel this module was written for \(6\.1\.y, 6\.12\.y; docs/kmod\.md, Kernels\)\. Set EPT_ALLOW_UNTESTED_KERNEL=1' \
	"it says which kernels it was written for, and how to try another"

if command -v dkms >/dev/null; then
	out=$(kmod/dkms-install -k 6.5.0-99-untested --build-only \
		--sourcetree "$tmp/src" --dkmstree "$tmp/dkms" 2>&1)
	is "$?" 77 "DKMS skips a 6.5 kernel (exit 77, not a failure)"
	like "$out" 'BUILD_EXCLUSIVE directive which does not match this kernel' "and says why"
else
	ok 0 "# SKIP no dkms"
	ok 0 "# SKIP no dkms"
fi

src=build/linux-source-6.1
if [ ! -x "$src/scripts/checkpatch.pl" ] && [ -f /usr/src/linux-source-6.1.tar.xz ]; then
	mkdir -p build
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C build linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt linux-source-6.1/scripts/const_structs.checkpatch 2>/dev/null
fi
if [ -x "$src/scripts/checkpatch.pl" ]; then
	out=$("$src/scripts/checkpatch.pl" --no-tree --terse -f $sources kmod/Kbuild 2>&1)
	bad=$(grep -v ' total: 0 errors, 0 warnings' <<<"$out" | grep -c .)
	is "$bad" 0 "checkpatch.pl finds nothing in kmod/"
	[ "$bad" = 0 ] || diag "$(grep -v ' total: 0 errors, 0 warnings' <<<"$out" | head -n 20)"
else
	ok 0 "# SKIP no linux-source-6.1 (lab/setup installs it)"
fi

if command -v sparse >/dev/null; then
	out=$(make -C "$kdir" M="$tmp/kmod" C=2 modules 2>&1)
	ok $? "the module builds for $abi"
	warn=$(grep -E 'warning:|error:' <<<"$out" | grep -vc 'Skipping BTF')
	is "$warn" 0 "sparse and gcc report nothing (make C=2)"
	[ "$warn" = 0 ] || diag "$(grep -E 'warning:|error:' <<<"$out" | head -n 20)"
else
	ok 0 "# SKIP no sparse"
	ok 0 "# SKIP no sparse"
fi
done_testing
