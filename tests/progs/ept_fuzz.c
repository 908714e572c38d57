// SPDX-License-Identifier: GPL-2.0
/*
 * ept_fuzz.c - throw random ioctls, reads, polls, opens and closes at
 * /proc/kvm_ept_sample: commands near and far from the real ones, integer
 * arguments, and pointers that are valid, NULL, unmapped, kernel addresses
 * or unaligned. The kernel must stay clean (lab/run reads dmesg).
 *
 * Usage: ept_fuzz GUEST_PID ITERATIONS [SEED]
 * Prints "ept_fuzz: N operations, M errors, K samples" at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../include/kvm_ept_sample.h"
#include "rng.h"

#define NFD 4

static unsigned char buf[8192];

static unsigned long rnd_arg(long guest)
{
	static struct kvm_ept_sample_get_memslots gm;
	static struct kvm_ept_sample_memslot slots[8];

	switch (rnd() % 10) {
	case 0: return 0;
	case 1: return (unsigned long)guest;
	case 2: return rnd() % 8;
	case 3: return rnd();
	case 4: return (unsigned long)buf + rnd() % 64;
	case 5: return 0xffffffff81000000UL + (rnd() % 4096);
	case 6: return 8;
	case 7:
		gm.memslots = (rnd() & 1) ? slots : (void *)(uintptr_t)rnd();
		gm.capacity = rnd() % 16;
		return (unsigned long)&gm;
	case 8: return 1 + rnd() % 1000000;
	default: return (unsigned long)-1L;
	}
}

int main(int argc, char **argv)
{
	long guest, n, i, errors = 0, samples = 0;
	int fd[NFD];

	if (argc < 3) {
		fprintf(stderr, "usage: ept_fuzz GUEST_PID ITERATIONS [SEED]\n");
		return 2;
	}
	guest = atol(argv[1]);
	n = atol(argv[2]);
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 0) : 88172645463325252ULL;
	for (i = 0; i < NFD; i++)
		fd[i] = open(KVM_EPT_SAMPLE_PATH, O_RDWR | ((rnd() & 1) ? O_NONBLOCK : 0));
	for (i = 0; i < n; i++) {
		int k = rnd() % NFD;
		long r = 0;

		if (fd[k] < 0) {
			fd[k] = open(KVM_EPT_SAMPLE_PATH, O_RDWR | O_NONBLOCK);
			continue;
		}
		switch (rnd() % 8) {
		case 0: case 1: case 2: {
			unsigned int cmd = (rnd() % 4) ? 1200 + rnd() % 20 : (unsigned int)rnd();

			/* A blocking read after INIT is the one way to hang. */
			r = ioctl(fd[k], cmd, rnd_arg(guest));
			break;
		}
		case 3: case 4: {
			size_t len = rnd() % 3 ? (rnd() % 8) * 4 : rnd() % sizeof(buf);
			void *p = rnd() % 5 ? (void *)buf : (void *)(uintptr_t)rnd_arg(guest);

			if (!(fcntl(fd[k], F_GETFL) & O_NONBLOCK))
				fcntl(fd[k], F_SETFL, O_NONBLOCK);
			r = read(fd[k], p, len);
			if (r > 0)
				samples += r;
			break;
		}
		case 5: {
			struct pollfd p = { .fd = fd[k], .events = POLLIN };

			r = poll(&p, 1, 0);
			break;
		}
		case 6:
			if (rnd() % 16 == 0) {
				close(fd[k]);
				fd[k] = -1;
			}
			break;
		default:
			r = ioctl(fd[k], KVM_EPT_SAMPLE_CMD_INIT, guest);
			if (r == 0)
				ioctl(fd[k], KVM_EPT_SAMPLE_CMD_SET_FREQ, 1 + rnd() % 20000);
			break;
		}
		if (r < 0)
			errors++;
	}
	for (i = 0; i < NFD; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	printf("ept_fuzz: %ld operations, %ld errors, %ld bytes of samples\n",
	       n, errors, samples);
	return 0;
}
