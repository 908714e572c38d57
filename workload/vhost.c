// SPDX-License-Identifier: GPL-2.0
/*
 * vhost.c - --vhost-net: a virtio-net device on /dev/vhost-net (see
 * vhost.h).  The data path is the kernel's (tapend.c is the host end):
 *   guest TX ring -> vhost-net -> tap -> the host's stack -> packet socket
 *   packet socket -> tap xmit -> tap queue -> vhost-net -> guest RX ring
 * Features: VIRTIO_F_VERSION_1 and VIRTIO_RING_F_EVENT_IDX, nothing else
 * (no VIRTIO_NET_F_MRG_RXBUF, no VHOST_NET_F_VIRTIO_NET_HDR): the 12-byte
 * virtio-net header is the tap's (IFF_VNET_HDR, TUNSETVNETHDRSZ 12), as
 * with QEMU, and vhost-net passes it through.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include "vhost.h"

static const uint64_t want_features =
	(1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX);

int vhost_fail(const char *what, const char *hint)
{
	fprintf(stderr, "guest: --vhost-net: %s: %s%s%s\n", what, strerror(errno),
		hint ? " " : "", hint ? hint : "");
	return -1;
}

/* The tap: IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, not persistent (it goes with
 * its last fd), no IPv6 and no ARP (the kernel sends nothing of its own
 * to the guest), up. */
static int open_tap(struct vhost_net *d)
{
	struct ifreq ifr;
	int hs = GUEST_VNET_HDR, s, fd;
	char path[128];

	d->tap_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (d->tap_fd < 0)
		return vhost_fail("/dev/net/tun", errno == ENOENT || errno == ENODEV ?
				  "(the tun module is not loaded: modprobe tun)" : NULL);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, "eptscope%d");
	if (ioctl(d->tap_fd, TUNSETIFF, &ifr) < 0)
		return vhost_fail("TUNSETIFF", errno == EPERM ?
				  "(creating a tap needs CAP_NET_ADMIN)" : NULL);
	memcpy(d->ifname, ifr.ifr_name, IFNAMSIZ);
	if (ioctl(d->tap_fd, TUNSETVNETHDRSZ, &hs) < 0)
		return vhost_fail("TUNSETVNETHDRSZ", NULL);

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 d->ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1\n", 2) != 2)
			fprintf(stderr, "guest: --vhost-net: note: cannot disable IPv6 on %s\n",
				d->ifname);
		close(fd);
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return vhost_fail("socket", NULL);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, d->ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP | IFF_NOARP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0) ||
	    ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
		close(s);
		return vhost_fail("bringing the tap up", errno == EPERM ?
				  "(needs CAP_NET_ADMIN)" : NULL);
	}
	d->ifindex = ifr.ifr_ifindex;
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(d->tap_mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	return 0;
}

static int vq_setup(struct vhost_net *d, struct vm *vm, uint8_t *ram,
		    uint64_t ring_gpa, unsigned q)
{
	uint8_t *base = ram + ring_gpa + (uint64_t)q * GUEST_VQ_PAGES * GUEST_PAGE_SIZE;
	struct vhost_vring_state num = { .index = q, .num = GUEST_VQ_SIZE };
	struct vhost_vring_state vbase = { .index = q, .num = 0 };
	struct vhost_vring_addr addr = {
		.index = q,
		.desc_user_addr = (uint64_t)(uintptr_t)base,
		.avail_user_addr = (uint64_t)(uintptr_t)(base + GUEST_PAGE_SIZE),
		.used_user_addr = (uint64_t)(uintptr_t)(base + 2 * GUEST_PAGE_SIZE),
	};
	struct kvm_ioeventfd io = {
		.addr = q == GUEST_VQ_RX ? GUEST_PORT_KICK_RX : GUEST_PORT_KICK_TX,
		.len = 4,
		.flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	struct vhost_vring_file f = { .index = q };

	d->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	d->call_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->kick_fd[q] < 0 || d->call_fd[q] < 0)
		return vhost_fail("eventfd", NULL);
	io.fd = d->kick_fd[q];
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		return vhost_fail("KVM_IOEVENTFD", NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_NUM, &num) < 0)
		return vhost_fail("VHOST_SET_VRING_NUM", NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_BASE, &vbase) < 0)
		return vhost_fail("VHOST_SET_VRING_BASE", NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_ADDR, &addr) < 0)
		return vhost_fail("VHOST_SET_VRING_ADDR", NULL);
	f.fd = d->kick_fd[q];
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_KICK, &f) < 0)
		return vhost_fail("VHOST_SET_VRING_KICK", NULL);
	f.fd = d->call_fd[q];
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_CALL, &f) < 0)
		return vhost_fail("VHOST_SET_VRING_CALL", NULL);
	return 0;
}

static int open_vhost(struct vhost_net *d, struct vm *vm, uint8_t *ram,
		      uint64_t ram_size, uint64_t ring_gpa)
{
	struct vhost_memory *mem;
	uint64_t features = 0;
	unsigned q;
	int r;

	d->vhost_fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	if (d->vhost_fd < 0)
		return vhost_fail("/dev/vhost-net",
				  errno == ENOENT || errno == ENODEV || errno == ENXIO ?
				  "(the vhost_net module is not loaded: modprobe vhost_net)" :
				  errno == EACCES ? "(needs root, or access to /dev/vhost-net)" :
				  NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_OWNER, NULL) < 0)
		return vhost_fail("VHOST_SET_OWNER", NULL);
	if (ioctl(d->vhost_fd, VHOST_GET_FEATURES, &features) < 0)
		return vhost_fail("VHOST_GET_FEATURES", NULL);
	if ((features & want_features) != want_features) {
		fprintf(stderr, "guest: --vhost-net: vhost-net offers features 0x%llx, without VIRTIO_F_VERSION_1 or VIRTIO_RING_F_EVENT_IDX\n",
			(unsigned long long)features);
		return -1;
	}
	d->features = want_features;
	if (ioctl(d->vhost_fd, VHOST_SET_FEATURES, &d->features) < 0)
		return vhost_fail("VHOST_SET_FEATURES", NULL);

	/* The memory table: guest RAM, slot 0 (the only RAM memslot). */
	mem = calloc(1, sizeof(*mem) + sizeof(mem->regions[0]));
	if (!mem)
		return vhost_fail("memory table", NULL);
	mem->nregions = 1;
	mem->regions[0].guest_phys_addr = 0;
	mem->regions[0].memory_size = ram_size;
	mem->regions[0].userspace_addr = (uint64_t)(uintptr_t)ram;
	r = ioctl(d->vhost_fd, VHOST_SET_MEM_TABLE, mem);
	free(mem);
	if (r < 0)
		return vhost_fail("VHOST_SET_MEM_TABLE", NULL);
	for (q = 0; q < 2; q++)
		if (vq_setup(d, vm, ram, ring_gpa, q))
			return -1;
	return 0;
}

static int set_backend_q(struct vhost_net *d, unsigned q, int fd)
{
	struct vhost_vring_file f = { .index = q, .fd = fd };

	if (ioctl(d->vhost_fd, VHOST_NET_SET_BACKEND, &f) < 0)
		return vhost_fail("VHOST_NET_SET_BACKEND", NULL);
	return 0;
}

static int set_backend(struct vhost_net *d, int fd)
{
	return set_backend_q(d, GUEST_VQ_RX, fd) || set_backend_q(d, GUEST_VQ_TX, fd) ? -1 : 0;
}

/* With no socket, handle_tx returns at once and uses nothing; the kick
 * poll (vq->poll, from VHOST_SET_VRING_KICK) stays armed, so kicks still
 * reach vhost_poll_wakeup and handle_tx_kick (drivers/vhost/net.c,
 * vhost_net_set_backend: only the socket's poll is stopped). */
int vhost_net_detach_tx(struct vhost_net *d)
{
	return set_backend_q(d, GUEST_VQ_TX, -1);
}

int vhost_net_open(struct vhost_net *d, struct vm *vm, uint8_t *ram,
		   uint64_t ram_size, uint64_t ring_gpa, FILE *out)
{
	memset(d, 0, sizeof(*d));
	d->vhost_fd = d->tap_fd = -1;
	d->kick_fd[0] = d->kick_fd[1] = d->call_fd[0] = d->call_fd[1] = -1;
	d->ring = ram + ring_gpa;
	if (open_vhost(d, vm, ram, ram_size, ring_gpa) || open_tap(d) ||
	    set_backend(d, d->tap_fd))
		return -1;
	fprintf(out, "vhost_dev tap=%s ifindex=%d features=0x%llx queue_size=%d rx_queue=%d tx_queue=%d rx_kick_port=0x%x tx_kick_port=0x%x\n",
		d->ifname, d->ifindex, (unsigned long long)d->features,
		GUEST_VQ_SIZE, GUEST_VQ_RX, GUEST_VQ_TX, GUEST_PORT_KICK_RX,
		GUEST_PORT_KICK_TX);
	return 0;
}

long long vhost_net_tap_stat(const struct vhost_net *d, const char *name)
{
	char path[160];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s",
		 d->ifname, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

uint64_t vhost_net_used(const struct vhost_net *d, unsigned q,
			    uint64_t taken, uint64_t last_used)
{
	const volatile uint16_t *idx = (const volatile uint16_t *)
		(d->ring + ((uint64_t)q * GUEST_VQ_PAGES + 2) * GUEST_PAGE_SIZE + 2);

	return taken + (uint16_t)(*idx - (uint16_t)last_used);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vhost_net_close(struct vhost_net *d)
{
	unsigned q;

	if (d->vhost_fd >= 0 && d->tap_fd >= 0)
		set_backend(d, -1);
	close_fd(&d->vhost_fd);
	close_fd(&d->tap_fd);
	for (q = 0; q < 2; q++) {
		close_fd(&d->kick_fd[q]);
		close_fd(&d->call_fd[q]);
	}
}
