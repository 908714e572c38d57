/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost.h - --vhost-net: the VMM side of a virtio-net device whose data
 * path is the kernel's vhost-net, backed by a tap device, and the host end
 * of that tap (a packet socket) that counts what the guest sends and sends
 * what it must receive.
 */
#ifndef WORKLOAD_VHOST_H
#define WORKLOAD_VHOST_H

#include <net/if.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "guest_abi.h"
#include "vm.h"

struct vhost_net {
	int vhost_fd, tap_fd, pkt_fd;
	int kick_fd[2], call_fd[2];	/* per queue: GUEST_VQ_RX, GUEST_VQ_TX */
	char ifname[IFNAMSIZ];
	int ifindex;
	uint8_t tap_mac[6];
	uint64_t features;		/* negotiated */
	unsigned tx, rx, stall;		/* what the guest was asked */
	uint8_t *ring;			/* host address of the "vring" region */
	struct guest_vnet_report *gr;	/* the guest's counters */
	pthread_t thread;
	int started;
	volatile int stop;
	/* The host end's counts. */
	uint64_t signals[2];		/* call eventfd signals, per queue */
	uint64_t host_tx_seen;		/* guest frames seen, in order */
	uint64_t host_tx_bad;		/* frames of ours out of order */
	uint64_t host_rx_sent;		/* frames sent to the guest */
	uint64_t send_errors;
	uint64_t done_ns;		/* from the start to the guest's done */
	int failed;
	char err[256];
};

/*
 * Open /dev/vhost-net, negotiate, give it the memory table and both
 * virtqueues (kicks from KVM ioeventfds on the guest's kick ports, an
 * eventfd per queue for its signals), create the tap and its packet
 * socket, and start the host end's thread.  0, or -1 (said on stderr).
 */
int vhost_net_start(struct vhost_net *d, struct vm *vm, uint8_t *ram,
		    uint64_t ram_size, uint64_t ring_gpa,
		    struct guest_shared *sh, unsigned tx, unsigned rx,
		    unsigned stall, FILE *out);
/* Let the host end drain, stop it, print the "vhost" line, close all
 * (the tap vanishes with its last fd).  0, or -1 when the host end failed. */
int vhost_net_stop(struct vhost_net *d, FILE *out);

#endif
