/* SPDX-License-Identifier: GPL-2.0 */
/* stats.h - read KVM binary statistics (KVM_GET_STATS_FD). */
#ifndef WORKLOAD_STATS_H
#define WORKLOAD_STATS_H

#include <stdio.h>

/*
 * Print the VM's statistics as "vm_stat.NAME=VALUE" lines and the sum over
 * vCPUs (max for peak values) as "vcpu_stat.NAME=VALUE".  Arrays (histograms)
 * print as comma-separated values.  Returns 0, or -1 if unsupported.
 */
int stats_print(FILE *out, int vm_fd, const int *vcpu_fds, int nvcpus);

#endif
