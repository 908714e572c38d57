#!/usr/bin/env bash
# stp_on_newer.t - the SystemTap lab tests once more, on the lab's newer
# kernel (6.12; skipped where lab/setup found none): each test of SUITE
# runs unchanged with LAB_ABI set to that ABI, so lab/stap compiles for it
# (SystemTap 4.8 with lab/stap-runtime.patch) and lab/run boots it. One
# test line per suite test, with the lines that failed shown. docs/lab.md
# ("The newer kernel") says which tests run on both kernels.
. "$(dirname "$0")/../lib/tap.sh"
cd "$EPTSCOPE_ROOT" || exit 1
lab_newer_required

SUITE="lab_stap stp_ept_hot stp_shadow stp_vhost workload_shadow"
# shellcheck disable=SC2086
lab_suite_on "$newer" $SUITE
done_testing
