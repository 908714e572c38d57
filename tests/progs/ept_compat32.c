// SPDX-License-Identifier: GPL-2.0
/*
 * ept_compat32.c - /proc/kvm_ept_sample from a 32-bit process (built with
 * -m32 -static; the kernel's compat ioctl path). GET_MEMSLOTS has a
 * pointer and size_t in its structs, so its 32-bit layout differs; the
 * other calls take integers or structs of __u64. Prints one key=value line
 * per call, and the memslots, for tests/lab/kmod_compat.t to compare with
 * what a 64-bit reader (eptsample -m) sees.
 *
 * Usage: ept_compat32 PID SECONDS
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../../include/kvm_ept_sample.h"

static void say(const char *name, long r)
{
	printf("%s=%s\n", name, r < 0 ? strerror(errno) : "ok");
}

int main(int argc, char **argv)
{
	struct kvm_ept_sample_memslot slots[8];
	struct kvm_ept_sample_get_memslots gm = { slots, 8, 0 };
	struct kvm_ept_sample_stats st;
	struct kvm_ept_sample_stats_query q = { sizeof(st), (uintptr_t)&st };
	struct kvm_ept_sample_v2 rec[64];
	long samples = 0, r;
	int fd, i, secs;

	if (argc != 3) {
		fprintf(stderr, "usage: ept_compat32 PID SECONDS\n");
		return 2;
	}
	secs = atoi(argv[2]);
	printf("bits=%zu memslot_size=%zu\n", sizeof(void *) * 8, sizeof(slots[0]));
	fd = open(KVM_EPT_SAMPLE_PATH, O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	printf("version=%d\n", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_VERSION, 0));
	say("set_format", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, KVM_EPT_SAMPLE_FORMAT_V2));
	say("init", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, atoi(argv[1])));
	say("set_freq", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 1000));
	r = ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS, &gm);
	say("get_memslots", r);
	for (i = 0; r == 0 && i < (int)gm.count && i < 8; i++)
		printf("memslot gpa=0x%llx hva=0x%llx pages=%llu\n",
		       (unsigned long long)slots[i].gpa,
		       (unsigned long long)slots[i].hva,
		       (unsigned long long)slots[i].page_count);
	for (i = 0; i < secs * 10; i++) {
		r = read(fd, rec, sizeof(rec));
		if (r > 0)
			samples += r / (long)sizeof(rec[0]);
		usleep(100000);
	}
	printf("samples=%ld\n", samples);
	say("get_stats", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS, &st));
	printf("stats_recorded=%llu\n", (unsigned long long)st.recorded);
	say("get_stats_sized", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED, &q));
	printf("stats_size=%llu zaps=%llu\n", (unsigned long long)q.size,
	       (unsigned long long)st.zaps);
	say("deinit", ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, 0));
	close(fd);
	return 0;
}
