#!/usr/bin/env bash
# kmod_on_newer.t - the module's own lab tests once more, on the lab's
# newer kernel (6.12; skipped where lab/setup found none): each test of
# SUITE runs unchanged with LAB_ABI set to that ABI, so lab/run boots it
# and make lab builds kmod/ for it. One test line per suite test, with
# the lines that failed shown. Which tests run on both kernels, and why
# the others run on 6.1 only, is in docs/lab.md ("The newer kernel").
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
lab_newer_required

# Every kmod test but kmod_newer_kernel (6.12's own).
SUITE="kmod_badinput kmod_samples kmod_limits kmod_faults kmod_safety kmod_compat
	kmod_accuracy kmod_fuzz kmod_stress kmod_dkms"
# shellcheck disable=SC2086
lab_suite_on "$newer" $SUITE
done_testing
