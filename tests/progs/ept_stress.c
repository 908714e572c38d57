// SPDX-License-Identifier: GPL-2.0
/*
 * ept_stress.c - race kvm_ept_sample's session lifetime against VMs that
 * come and go. Guests (workload/guest) run for a random fraction of a
 * second each, one after another, so they exit at random moments; while
 * they do:
 *  - the main thread, ITERATIONS times: opens a session, INITs it on the
 *    current guest, sets a random mode, budget (up to the maximum) and expiry,
 *    reads and polls a little, takes the statistics, then ends with
 *    DEINIT and close, or close alone;
 *  - a racer thread keeps one session open and INITs it again and again
 *    on every other guest, so INIT meets the arming work detaching by
 *    itself when the VM goes (the other guests are left to the main
 *    thread's sessions, which one VM's session would otherwise refuse).
 * Any errno the API does not document for the call is a failure.
 *
 * Usage: ept_stress ITERATIONS GUEST_BINARY [SEED]
 * Prints "ept_stress: N iterations, G guests, A attached, E ended, R racer
 * inits (K attached), F unexpected" and exits 1 if F > 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../include/kvm_ept_sample.h"
#include "rng.h"

static _Atomic pid_t guest_pid;
static atomic_long guest_index;		/* even: the racer's guest */
static atomic_int done;
static atomic_long unexpected, racer_inits, racer_attached;
static const char *guest_bin;

static void fail(const char *what, int err)
{
	fprintf(stderr, "ept_stress: %s: unexpected %s\n", what, strerror(err));
	atomic_fetch_add(&unexpected, 1);
}

/* INIT on a guest that may be starting (no VM yet) or gone. */
static int init_ok(int r, int err)
{
	return r == 0 || err == ESRCH || err == ENODEV || err == EBUSY ||
	       err == EALREADY;
}

static pid_t start_guest(unsigned int seed)
{
	char secs[32], mem[32], vcpus[8], sd[32];
	pid_t p;

	snprintf(secs, sizeof(secs), "%.3f", 0.05 + (double)(rnd() % 1000) / 1000.0);
	snprintf(mem, sizeof(mem), "%uM", 4u << (rnd() % 3));
	snprintf(vcpus, sizeof(vcpus), "%u", 1u + (unsigned)(rnd() % 2));
	snprintf(sd, sizeof(sd), "%u", seed);
	p = fork();
	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(guest_bin, guest_bin, "--mem", mem, "--vcpus", vcpus,
		      "--seconds", secs, "--interval", "0", "--no-prefault",
		      "--seed", sd, (char *)NULL);
		_exit(127);
	}
	return p;
}

static void *racer(void *arg)
{
	int fd = open(KVM_EPT_SAMPLE_PATH, O_RDWR | O_NONBLOCK), r;

	(void)arg;
	if (fd < 0) {
		fail("racer open", errno);
		return NULL;
	}
	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, KVM_EPT_SAMPLE_FORMAT_V2);
	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 20000);
	while (!atomic_load(&done)) {
		if (atomic_load(&guest_index) % 2) {
			usleep(200);
			continue;
		}
		r = ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, (unsigned long)atomic_load(&guest_pid));
		atomic_fetch_add(&racer_inits, 1);
		if (r == 0)
			atomic_fetch_add(&racer_attached, 1);
		else if (!init_ok(r, errno))
			fail("racer INIT", errno);
		usleep(200);
	}
	close(fd);
	return NULL;
}

/* One session's life on the current guest; 1 if it attached. */
static int session(long *ended)
{
	static const unsigned long freqs[] = { 1, 1000, 100000, 1000000 };
	struct kvm_ept_sample_v2 rec[64];
	struct kvm_ept_sample_stats st;
	struct kvm_ept_sample_stats_query q = { sizeof(st), (uintptr_t)&st };
	int fd = open(KVM_EPT_SAMPLE_PATH, O_RDWR | O_NONBLOCK), r, i, attached;

	if (fd < 0) {
		fail("open", errno);
		return 0;
	}
	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, KVM_EPT_SAMPLE_FORMAT_V2);
	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_CENSORED, rnd() % 2);
	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_EXPIRE, rnd() % 2 ? 0 : 1 + rnd() % 200);
	ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_MODE, rnd() % 3);
	r = ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, (unsigned long)atomic_load(&guest_pid));
	if (r < 0 && !init_ok(r, errno))
		fail("INIT", errno);
	attached = r == 0;
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, freqs[rnd() % 4]) < 0)
		fail("SET_FREQ", errno);
	for (i = 0; i < (int)(rnd() % 6); i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		usleep((useconds_t)(rnd() % 50000));
		poll(&p, 1, 0);
		r = (int)read(fd, rec, sizeof(rec));
		if (r < 0 && errno != EAGAIN && errno != ENXIO)
			fail("read", errno);
		if (r == 0 && attached)
			(*ended)++;	/* end of file: the VM went away */
	}
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED, &q) < 0)
		fail("GET_STATS_SIZED", errno);
	if (rnd() % 2) {
		r = ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, 0);
		if (r < 0 && errno != ENXIO)
			fail("DEINIT", errno);
	}
	close(fd);
	return attached;
}

int main(int argc, char **argv)
{
	long n, i, guests = 0, attached = 0, ended = 0;
	pthread_t t;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: ept_stress ITERATIONS GUEST_BINARY [SEED]\n");
		return 2;
	}
	n = atol(argv[1]);
	guest_bin = argv[2];
	rng_state = argc > 3 ? strtoull(argv[3], NULL, 0) : 0x9e3779b97f4a7c15ULL;
	atomic_store(&guest_pid, start_guest(0));
	guests++;
	pthread_create(&t, NULL, racer, NULL);
	for (i = 0; i < n; i++) {
		pid_t g = atomic_load(&guest_pid);

		if (waitpid(g, &status, WNOHANG) == g) {
			atomic_store(&guest_pid, start_guest((unsigned)guests));
			atomic_store(&guest_index, guests);
			guests++;
			usleep((useconds_t)(rnd() % 30000));
		}
		attached += session(&ended);
	}
	atomic_store(&done, 1);
	pthread_join(t, NULL);
	kill(atomic_load(&guest_pid), SIGKILL);
	waitpid(atomic_load(&guest_pid), &status, 0);
	printf("ept_stress: %ld iterations, %ld guests, %ld attached, %ld ended, %ld racer inits (%ld attached), %ld unexpected\n",
	       n, guests, attached, ended, atomic_load(&racer_inits),
	       atomic_load(&racer_attached), atomic_load(&unexpected));
	return atomic_load(&unexpected) ? 1 : 0;
}
