// SPDX-License-Identifier: GPL-2.0
/*
 * tapend.c - --vhost-net: the host end of the tap (see tapend.h).  A packet
 * socket on the tap receives what the guest sends (vhost-net -> tap -> the
 * host's stack -> socket) and sends what the guest must receive (socket ->
 * tap xmit -> the tap's queue -> vhost-net); a thread does that, counts
 * vhost-net's signals on the call eventfds, and at the end the "vhost" line
 * reports everything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "clock.h"
#include "tapend.h"

/* RX frames in flight (sent, not yet taken by the guest): half a ring, so
 * a guest that keeps up never finds its ring empty. */
#define RX_WINDOW	(GUEST_VQ_SIZE / 2)
/* At the end, the host end drains until this long passes with nothing. */
#define DRAIN_QUIET_NS	300000000ULL
#define DRAIN_MAX_NS	5000000000ULL

/* The host end: a packet socket on the tap for our ethertype only (so it
 * sees frames coming in from the guest, not its own going out). */
static int open_packet_socket(struct tap_end *d)
{
	struct sockaddr_ll sll;
	int rcvbuf = 8 << 20;

	d->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			   htons(GUEST_VNET_ETHERTYPE));
	if (d->pkt_fd < 0)
		return vhost_fail("packet socket", errno == EPERM ?
				  "(needs CAP_NET_RAW)" : NULL);
	if (setsockopt(d->pkt_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(d->pkt_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(GUEST_VNET_ETHERTYPE);
	sll.sll_ifindex = d->dev->ifindex;
	if (bind(d->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return vhost_fail("binding the packet socket to the tap", NULL);
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
static int send_one(struct tap_end *d, uint32_t seq)
{
	uint8_t f[GUEST_VNET_FRAME];
	struct sockaddr_ll sll;

	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, d->dev->tap_mac, 6);
	f[12] = GUEST_VNET_ETHERTYPE >> 8;
	f[13] = GUEST_VNET_ETHERTYPE & 0xff;
	put32(f + 14, GUEST_VNET_MAGIC);
	put32(f + 18, GUEST_VNET_DIR_RX);
	put32(f + 22, seq);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(GUEST_VNET_ETHERTYPE);
	sll.sll_ifindex = d->dev->ifindex;
	sll.sll_halen = 6;
	memset(sll.sll_addr, 0xff, 6);
	if (sendto(d->pkt_fd, f, sizeof(f), 0, (struct sockaddr *)&sll,
		   sizeof(sll)) != (ssize_t)sizeof(f))
		return -1;
	return 0;
}

/* Take what came from the guest; 1 when there was something. */
static int receive_all(struct tap_end *d)
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
static int read_signals(struct tap_end *d)
{
	uint64_t v;
	int q, any = 0;

	for (q = 0; q < 2; q++)
		while (read(d->dev->call_fd[q], &v, sizeof(v)) == sizeof(v)) {
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
 * detach=K: once it has seen K frames from the guest, it detaches TX's
 * backend and tells the guest (which posts no more before that).
 */
static void *host_end(void *arg)
{
	struct tap_end *d = arg;
	uint64_t quiet_since = 0, stop_at = 0, t0 = mono_ns();

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = d->pkt_fd, .events = POLLIN },
			{ .fd = d->dev->call_fd[0], .events = POLLIN },
			{ .fd = d->dev->call_fd[1], .events = POLLIN },
		};
		int any;

		poll(p, 3, 1);
		any = receive_all(d) | read_signals(d);
		if (d->detach && !d->gr->detached && d->host_tx_seen >= d->detach) {
			if (vhost_net_detach_tx(d->dev)) {
				snprintf(d->err, sizeof(d->err), "detaching TX's backend failed");
				d->failed = 1;
				return NULL;
			}
			d->gr->detached = 1;
			any = 1;
		}
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

int tap_end_start(struct tap_end *d, struct vhost_net *dev,
		  struct guest_shared *sh, unsigned tx, unsigned rx,
		  unsigned stall, unsigned detach)
{
	memset(d, 0, sizeof(*d));
	d->dev = dev;
	d->pkt_fd = -1;
	d->tx = tx;
	d->rx = rx;
	d->stall = stall;
	d->detach = detach;
	d->gr = &sh->vnet;
	if (open_packet_socket(d))
		return -1;
	if (pthread_create(&d->thread, NULL, host_end, d)) {
		fprintf(stderr, "guest: --vhost-net: cannot start the host end's thread\n");
		return -1;
	}
	d->started = 1;
	return 0;
}

int tap_end_stop(struct tap_end *d, FILE *out)
{
	const struct guest_vnet_report *g = d->gr;
	const struct vhost_net *dev = d->dev;
	long long txp, txd, rxp, rxd;
	uint64_t rx_used, tx_used;

	if (!d->started)
		return 0;
	d->stop = 1;
	pthread_join(d->thread, NULL);
	rx_used = vhost_net_used(dev, GUEST_VQ_RX, g->rx_received, g->rx_last_used);
	tx_used = vhost_net_used(dev, GUEST_VQ_TX, g->tx_reclaimed, g->tx_last_used);
	/* The tap's tx is toward the guest, its rx from the guest. */
	txp = vhost_net_tap_stat(dev, "tx_packets");
	txd = vhost_net_tap_stat(dev, "tx_dropped");
	rxp = vhost_net_tap_stat(dev, "rx_packets");
	rxd = vhost_net_tap_stat(dev, "rx_dropped");
	fprintf(out, "vhost tap=%s tx=%u tx_sent=%llu tx_used=%llu tx_reclaimed=%llu tx_kicks=%llu tx_signals=%llu host_tx_seen=%llu host_tx_bad=%llu rx=%u rx_posted=%llu rx_used=%llu rx_received=%llu rx_in_order=%llu rx_bad=%llu rx_kicks=%llu rx_signals=%llu host_rx_sent=%llu rx_waiting=%lld tap_tx_packets=%lld tap_tx_dropped=%lld tap_rx_packets=%lld tap_rx_dropped=%lld stall=%u stalled=%llu detach=%u detached=%d tx_kicks_after_detach=%llu done=%llu done_s=%.3f\n",
		dev->ifname, d->tx, (unsigned long long)g->tx_sent,
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
		(unsigned long long)g->stalled, d->detach, (int)g->detached,
		(unsigned long long)g->tx_kicks_after_detach,
		(unsigned long long)g->done,
		d->done_ns ? (double)d->done_ns * 1e-9 : -1.0);
	if (d->failed)
		fprintf(stderr, "guest: --vhost-net: host end: %s\n", d->err);
	close(d->pkt_fd);
	d->pkt_fd = -1;
	return d->failed ? -1 : 0;
}
