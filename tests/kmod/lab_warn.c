// SPDX-License-Identifier: GPL-2.0
/*
 * lab_warn.c - a test module that raises a kernel WARNING on purpose when
 * it loads, so tests can show that lab/run's dmesg check fails such a run.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init lab_warn_init(void)
{
	WARN(1, "eptscope lab test: deliberate warning\n");
	return 0;
}

static void __exit lab_warn_exit(void)
{
}

module_init(lab_warn_init);
module_exit(lab_warn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("eptscope test: warn on load");
