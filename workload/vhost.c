// SPDX-License-Identifier: GPL-2.0
/*
 * vhost.c - --vhost-net: a virtio-net device on /dev/vhost-net (see
 * vhost.h).  The data path is the kernel's:
 *   guest TX ring -> vhost-net -> tap -> the host's stack -> packet socket
 *   packet socket -> tap xmit -> tap queue -> vhost-net -> guest RX ring
 * Features: VIRTIO_F_VERSION_1 and VIRTIO_RING_F_EVENT_IDX, nothing else
 * (no VIRTIO_NET_F_MRG_RXBUF, no VHOST_NET_F_VIRTIO_NET_HDR): the 12-byte
 * virtio-net header is the tap's (IFF_VNET_HDR, TUNSETVNETHDRSZ 12), as
 * with QEMU, and vhost-net passes it through.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <net/ethernet.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "vhost.h"

/* RX frames in flight (sent, not yet taken by the guest): half a ring, so
 * a guest that keeps up never finds its ring empty. */
#define RX_WINDOW	(GUEST_VQ_SIZE / 2)
/* At the end, the host end drains until this long passes with nothing. */
#define DRAIN_QUIET_NS	300000000ULL
#define DRAIN_MAX_NS	5000000000ULL

static const uint64_t want_features =
	(1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX);

static int fail(const char *what, const char *hint)
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
		return fail("/dev/net/tun", errno == ENOENT || errno == ENODEV ?
			    "(the tun module is not loaded: modprobe tun)" : NULL);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	strcpy(ifr.ifr_name, "eptscope%d");
	if (ioctl(d->tap_fd, TUNSETIFF, &ifr) < 0)
		return fail("TUNSETIFF", errno == EPERM ?
			    "(creating a tap needs CAP_NET_ADMIN)" : NULL);
	memcpy(d->ifname, ifr.ifr_name, IFNAMSIZ);
	if (ioctl(d->tap_fd, TUNSETVNETHDRSZ, &hs) < 0)
		return fail("TUNSETVNETHDRSZ", NULL);

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
		return fail("socket", NULL);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, d->ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP | IFF_NOARP, ioctl(s, SIOCSIFFLAGS, &ifr) < 0) ||
	    ioctl(s, SIOCGIFINDEX, &ifr) < 0) {
		close(s);
		return fail("bringing the tap up", errno == EPERM ?
			    "(needs CAP_NET_ADMIN)" : NULL);
	}
	d->ifindex = ifr.ifr_ifindex;
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(d->tap_mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	return 0;
}

/* The host end: a packet socket on the tap for our ethertype only (so it
 * sees frames coming in from the guest, not its own going out). */
static int open_packet_socket(struct vhost_net *d)
{
	struct sockaddr_ll sll;
	int rcvbuf = 8 << 20;

	d->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			   htons(GUEST_VNET_ETHERTYPE));
	if (d->pkt_fd < 0)
		return fail("packet socket", errno == EPERM ?
			    "(needs CAP_NET_RAW)" : NULL);
	if (setsockopt(d->pkt_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(d->pkt_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(GUEST_VNET_ETHERTYPE);
	sll.sll_ifindex = d->ifindex;
	if (bind(d->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return fail("binding the packet socket to the tap", NULL);
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
		return fail("eventfd", NULL);
	io.fd = d->kick_fd[q];
	if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0)
		return fail("KVM_IOEVENTFD", NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_NUM, &num) < 0)
		return fail("VHOST_SET_VRING_NUM", NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_BASE, &vbase) < 0)
		return fail("VHOST_SET_VRING_BASE", NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_ADDR, &addr) < 0)
		return fail("VHOST_SET_VRING_ADDR", NULL);
	f.fd = d->kick_fd[q];
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_KICK, &f) < 0)
		return fail("VHOST_SET_VRING_KICK", NULL);
	f.fd = d->call_fd[q];
	if (ioctl(d->vhost_fd, VHOST_SET_VRING_CALL, &f) < 0)
		return fail("VHOST_SET_VRING_CALL", NULL);
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
		return fail("/dev/vhost-net",
			    errno == ENOENT || errno == ENODEV || errno == ENXIO ?
			    "(the vhost_net module is not loaded: modprobe vhost_net)" :
			    errno == EACCES ? "(needs root, or access to /dev/vhost-net)" :
			    NULL);
	if (ioctl(d->vhost_fd, VHOST_SET_OWNER, NULL) < 0)
		return fail("VHOST_SET_OWNER", NULL);
	if (ioctl(d->vhost_fd, VHOST_GET_FEATURES, &features) < 0)
		return fail("VHOST_GET_FEATURES", NULL);
	if ((features & want_features) != want_features) {
		fprintf(stderr, "guest: --vhost-net: vhost-net offers features 0x%llx, without VIRTIO_F_VERSION_1 or VIRTIO_RING_F_EVENT_IDX\n",
			(unsigned long long)features);
		return -1;
	}
	d->features = want_features;
	if (ioctl(d->vhost_fd, VHOST_SET_FEATURES, &d->features) < 0)
		return fail("VHOST_SET_FEATURES", NULL);

	/* The memory table: guest RAM, slot 0 (the only RAM memslot). */
	mem = calloc(1, sizeof(*mem) + sizeof(mem->regions[0]));
	if (!mem)
		return fail("memory table", NULL);
	mem->nregions = 1;
	mem->regions[0].guest_phys_addr = 0;
	mem->regions[0].memory_size = ram_size;
	mem->regions[0].userspace_addr = (uint64_t)(uintptr_t)ram;
	r = ioctl(d->vhost_fd, VHOST_SET_MEM_TABLE, mem);
	free(mem);
	if (r < 0)
		return fail("VHOST_SET_MEM_TABLE", NULL);
	for (q = 0; q < 2; q++)
		if (vq_setup(d, vm, ram, ring_gpa, q))
			return -1;
	return 0;
}

static int set_backend(struct vhost_net *d, int fd)
{
	unsigned q;

	for (q = 0; q < 2; q++) {
		struct vhost_vring_file f = { .index = q, .fd = fd };

		if (ioctl(d->vhost_fd, VHOST_NET_SET_BACKEND, &f) < 0)
			return fail("VHOST_NET_SET_BACKEND", NULL);
	}
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Frame number `seq` for the guest: broadcast, our ethertype, the magic,
 * GUEST_VNET_DIR_RX, seq. */
static int send_one(struct vhost_net *d, uint32_t seq)
{
	uint8_t f[GUEST_VNET_FRAME];
	struct sockaddr_ll sll;

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, d->tap_mac, 6);
	f[12] = GUEST_VNET_ETHERTYPE >> 8;
	f[13] = GUEST_VNET_ETHERTYPE & 0xff;
	put32(f + 14, GUEST_VNET_MAGIC);
	put32(f + 18, GUEST_VNET_DIR_RX);
	put32(f + 22, seq);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(GUEST_VNET_ETHERTYPE);
	sll.sll_ifindex = d->ifindex;
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	if (sendto(d->pkt_fd, f, sizeof(f), 0, (struct sockaddr *)&sll,
		   sizeof(sll)) != (ssize_t)sizeof(f))
		return -1;
	return 0;
}

/* Take what came from the guest; 1 when there was something. */
static int receive_all(struct vhost_net *d)
{
	uint8_t f[2048];
	int any = 0;
	ssize_t n;

	while ((n = recv(d->pkt_fd, f, sizeof(f), MSG_DONTWAIT)) > 0) {
		any = 1;
		if (n < 26 || f[12] != (GUEST_VNET_ETHERTYPE >> 8) ||
		    f[13] != (GUEST_VNET_ETHERTYPE & 0xff) ||
		    get32(f + 14) != GUEST_VNET_MAGIC ||
		    get32(f + 18) != GUEST_VNET_DIR_TX ||
		    get32(f + 22) != (uint32_t)d->host_tx_seen)
			d->host_tx_bad++;
		else
			d->host_tx_seen++;
	}
	return any;
}

/* Count the signals vhost sent: an eventfd read returns their sum. */
static int read_signals(struct vhost_net *d)
{
	uint64_t v;
	int q, any = 0;

	for (q = 0; q < 2; q++)
		while (read(d->call_fd[q], &v, sizeof(v)) == sizeof(v)) {
			d->signals[q] += v;
			any = 1;
		}
	return any;
}

/*
 * The host end: receive the guest's TX, count the signals, send the
 * guest's RX paced to RX_WINDOW frames ahead of what the guest took. Once
 * the guest stalls (stall=K), the rest goes at once, as a network does not
 * wait for a guest: it piles up in the tap's queue, then is dropped.
 */
static void *host_end(void *arg)
{
	struct vhost_net *d = arg;
	uint64_t quiet_since = 0, stop_at = 0, t0 = mono_ns();

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = d->pkt_fd, .events = POLLIN },
			{ .fd = d->call_fd[0], .events = POLLIN },
			{ .fd = d->call_fd[1], .events = POLLIN },
		};
		int any;

		poll(p, 3, 1);
		any = receive_all(d) | read_signals(d);
		while (d->host_rx_sent < d->rx &&
		       (d->gr->stalled ||
			d->host_rx_sent - d->gr->rx_received < RX_WINDOW)) {
			if (send_one(d, (uint32_t)d->host_rx_sent)) {
				if (errno == ENOBUFS || errno == EAGAIN)
					break;
				d->send_errors++;
				snprintf(d->err, sizeof(d->err), "sendto: %s",
					 strerror(errno));
				d->failed = 1;
				return NULL;
			}
			d->host_rx_sent++;
			any = 1;
		}
		if (!d->done_ns && d->gr->done)
			d->done_ns = mono_ns() - t0;
		if (d->stop) {
			uint64_t now = mono_ns();

			if (!stop_at)
				stop_at = quiet_since = now;
			if (any)
				quiet_since = now;
			if (now - quiet_since >= DRAIN_QUIET_NS ||
			    now - stop_at >= DRAIN_MAX_NS)
				break;
		}
	}
	return NULL;
}

int vhost_net_start(struct vhost_net *d, struct vm *vm, uint8_t *ram,
		    uint64_t ram_size, uint64_t ring_gpa,
		    struct guest_shared *sh, unsigned tx, unsigned rx,
		    unsigned stall, FILE *out)
{
	memset(d, 0, sizeof(*d));
	d->vhost_fd = d->tap_fd = d->pkt_fd = -1;
	d->kick_fd[0] = d->kick_fd[1] = d->call_fd[0] = d->call_fd[1] = -1;
	d->tx = tx;
	d->rx = rx;
	d->stall = stall;
	d->ring = ram + ring_gpa;
	d->gr = &sh->vnet;
	if (open_vhost(d, vm, ram, ram_size, ring_gpa) || open_tap(d) ||
	    open_packet_socket(d) || set_backend(d, d->tap_fd))
		return -1;
	if (pthread_create(&d->thread, NULL, host_end, d)) {
		fprintf(stderr, "guest: --vhost-net: cannot start the host end's thread\n");
		return -1;
	}
	d->started = 1;
	fprintf(out, "vhost_dev tap=%s ifindex=%d features=0x%llx queue_size=%d rx_queue=%d tx_queue=%d rx_kick_port=0x%x tx_kick_port=0x%x\n",
		d->ifname, d->ifindex, (unsigned long long)d->features,
		GUEST_VQ_SIZE, GUEST_VQ_RX, GUEST_VQ_TX, GUEST_PORT_KICK_RX,
		GUEST_PORT_KICK_TX);
	return 0;
}

/* A counter of the tap from /sys/class/net/TAP/statistics, or -1. */
static long long tap_stat(const struct vhost_net *d, const char *name)
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

/* The device's used index of queue q, as 64 bits: what the guest took
 * plus what vhost put in the used ring since. */
static uint64_t device_used(const struct vhost_net *d, unsigned q,
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

int vhost_net_stop(struct vhost_net *d, FILE *out)
{
	const struct guest_vnet_report *g = d->gr;
	long long txp, txd, rxp, rxd;
	uint64_t rx_used, tx_used;
	unsigned q;

	if (d->started) {
		d->stop = 1;
		pthread_join(d->thread, NULL);
	}
	rx_used = device_used(d, GUEST_VQ_RX, g->rx_received, g->rx_last_used);
	tx_used = device_used(d, GUEST_VQ_TX, g->tx_reclaimed, g->tx_last_used);
	/* The tap's tx is toward the guest, its rx from the guest. */
	txp = tap_stat(d, "tx_packets");
	txd = tap_stat(d, "tx_dropped");
	rxp = tap_stat(d, "rx_packets");
	rxd = tap_stat(d, "rx_dropped");
	if (d->started)
		fprintf(out, "vhost tap=%s tx=%u tx_sent=%llu tx_used=%llu tx_reclaimed=%llu tx_kicks=%llu tx_signals=%llu host_tx_seen=%llu host_tx_bad=%llu rx=%u rx_posted=%llu rx_used=%llu rx_received=%llu rx_in_order=%llu rx_bad=%llu rx_kicks=%llu rx_signals=%llu host_rx_sent=%llu rx_waiting=%lld tap_tx_packets=%lld tap_tx_dropped=%lld tap_rx_packets=%lld tap_rx_dropped=%lld stall=%u stalled=%llu done=%llu done_s=%.3f\n",
			d->ifname, d->tx, (unsigned long long)g->tx_sent,
			(unsigned long long)tx_used,
			(unsigned long long)g->tx_reclaimed,
			(unsigned long long)g->tx_kicks,
			(unsigned long long)d->signals[GUEST_VQ_TX],
			(unsigned long long)d->host_tx_seen,
			(unsigned long long)d->host_tx_bad, d->rx,
			(unsigned long long)g->rx_posted,
			(unsigned long long)rx_used,
			(unsigned long long)g->rx_received,
			(unsigned long long)g->rx_in_order,
			(unsigned long long)g->rx_bad,
			(unsigned long long)g->rx_kicks,
			(unsigned long long)d->signals[GUEST_VQ_RX],
			(unsigned long long)d->host_rx_sent,
			txp < 0 || txd < 0 ? -1 :
			(long long)d->host_rx_sent - txp - txd,
			txp, txd, rxp, rxd, d->stall,
			(unsigned long long)g->stalled,
			(unsigned long long)g->done,
			d->done_ns ? (double)d->done_ns * 1e-9 : -1.0);
	if (d->failed)
		fprintf(stderr, "guest: --vhost-net: host end: %s\n", d->err);
	if (d->vhost_fd >= 0 && d->tap_fd >= 0)
		set_backend(d, -1);
	close_fd(&d->vhost_fd);
	close_fd(&d->pkt_fd);
	close_fd(&d->tap_fd);
	for (q = 0; q < 2; q++) {
		close_fd(&d->kick_fd[q]);
		close_fd(&d->call_fd[q]);
	}
	return d->failed ? -1 : 0;
}
