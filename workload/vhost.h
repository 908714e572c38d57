/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost.h - --vhost-net: the VMM side of a virtio-net device whose data
 * path is the kernel's vhost-net, backed by a tap device (the host end of
 * the tap is tapend.h's).
 */
#ifndef WORKLOAD_VHOST_H
#define WORKLOAD_VHOST_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include "guest_abi.h"
#include "vm.h"

struct vhost_net {
	int vhost_fd, tap_fd;
	int kick_fd[2], call_fd[2];	/* per queue: GUEST_VQ_RX, GUEST_VQ_TX */
	char ifname[IFNAMSIZ];
	int ifindex;
	uint8_t tap_mac[6];
	uint64_t features;		/* negotiated */
	uint8_t *ring;			/* host address of the "vring" region */
};

/*
 * Open /dev/vhost-net, negotiate, give it the memory table and both
 * virtqueues (kicks from KVM ioeventfds on the guest's kick ports, an
 * eventfd per queue for its signals), create the tap, make it the backend
 * and print the "vhost_dev" line.  0, or -1 (said on stderr).
 */
int vhost_net_open(struct vhost_net *d, struct vm *vm, uint8_t *ram,
		   uint64_t ram_size, uint64_t ring_gpa, FILE *out);
/* The device's used index of queue q, as 64 bits: what the guest took
 * (`taken`, up to its `last_used`) plus what vhost put in the ring since. */
uint64_t vhost_net_used(const struct vhost_net *d, unsigned q,
			uint64_t taken, uint64_t last_used);
/* A counter of the tap from /sys/class/net/TAP/statistics, or -1. */
long long vhost_net_tap_stat(const struct vhost_net *d, const char *name);
/* Detach the TX queue's backend (VHOST_NET_SET_BACKEND fd -1): its kicks
 * are then ignored.  0 or -1 (said). */
int vhost_net_detach_tx(struct vhost_net *d);
/* Reset the backends, close all (the tap vanishes with its last fd). */
void vhost_net_close(struct vhost_net *d);
/* "guest: --vhost-net: WHAT: strerror(errno) HINT" on stderr; -1. */
int vhost_fail(const char *what, const char *hint);

#endif
