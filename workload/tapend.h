/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tapend.h - --vhost-net: the host end of the tap, which counts what the
 * guest sends and sends what it must receive, and the "vhost" line.
 */
#ifndef WORKLOAD_TAPEND_H
#define WORKLOAD_TAPEND_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "guest_abi.h"
#include "vhost.h"

struct tap_end {
	struct vhost_net *dev;
	struct guest_vnet_report *gr;	/* the guest's counters */
	int pkt_fd;
	unsigned tx, rx, stall, detach;	/* what the guest was asked */
	pthread_t thread;
	int started;
	volatile int stop;
	uint64_t signals[2];		/* call eventfd signals, per queue */
	uint64_t host_tx_seen;		/* guest frames seen, in order */
	uint64_t host_tx_bad;		/* frames not ours, or out of order */
	uint64_t host_rx_sent;		/* frames sent to the guest */
	uint64_t send_errors;
	uint64_t done_ns;		/* from the start to the guest's done */
	int failed;
	char err[256];
};

/* Open the packet socket on dev's tap and start the thread: 0 or -1. */
int tap_end_start(struct tap_end *e, struct vhost_net *dev,
		  struct guest_shared *sh, unsigned tx, unsigned rx,
		  unsigned stall, unsigned detach);
/* Let it drain, stop it, print the "vhost" line, close the socket. 0, or
 * -1 when the host end failed. */
int tap_end_stop(struct tap_end *e, FILE *out);

#endif
