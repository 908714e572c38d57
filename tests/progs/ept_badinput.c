// SPDX-License-Identifier: GPL-2.0
/*
 * ept_badinput.c - feed /proc/kvm_ept_sample every kind of bad input and
 * print what came back, one "name errno=NAME" line per check, for
 * tests/lab/kmod_badinput.t to compare with the documented errors.
 *
 * Usage (as root, module loaded): ept_badinput GUEST_PID
 * GUEST_PID is a running VMM (workload/guest); pid 1 serves as a process
 * that is not a VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <unistd.h>

#include "../../include/kvm_ept_sample.h"

static const char *ename(int r, int e)
{
	static char buf[32];

	if (r >= 0) {
		snprintf(buf, sizeof(buf), "OK(%d)", r);
		return buf;
	}
	switch (e) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case ESRCH: return "ESRCH";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENODEV: return "ENODEV";
	case ENXIO: return "ENXIO";
	case EBUSY: return "EBUSY";
	case EALREADY: return "EALREADY";
	case ENOTTY: return "ENOTTY";
	case EAGAIN: return "EAGAIN";
	default:
		snprintf(buf, sizeof(buf), "errno%d", e);
		return buf;
	}
}

static void report(const char *name, long r)
{
	if (r > 0x7fffffffL) {
		printf("%s errno=BOGUS(%ld)\n", name, r);
		return;
	}
	printf("%s errno=%s\n", name, ename((int)r, errno));
	fflush(stdout);
}

/* Open the device as user nobody in a child; print the result. */
static void open_as_nobody(const char *name)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(99);
		report(name, open(KVM_EPT_SAMPLE_PATH, O_RDWR));
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

/* Open it as root with every capability dropped: the file mode lets uid 0
 * in, so the module's own CAP_SYS_ADMIN check must answer. */
static void open_without_caps(const char *name)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		memset(data, 0, sizeof(data));
		if (syscall(SYS_capset, &hdr, data))
			_exit(99);
		report(name, open(KVM_EPT_SAMPLE_PATH, O_RDWR));
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

static int open_dev(void)
{
	int fd = open(KVM_EPT_SAMPLE_PATH, O_RDWR);

	if (fd < 0) {
		perror("open " KVM_EPT_SAMPLE_PATH);
		exit(1);
	}
	return fd;
}

/* An address no process has mapped, hidden from the compiler's checks. */
static void *bad_pointer(void)
{
	static volatile uintptr_t addr = 8;

	return (void *)addr;
}

/*
 * GET_STATS and GET_STATS_SIZED write exactly what they say: the v4 size,
 * and min(size, the kernel's struct) bytes.
 */
static void stats_sized(int fd)
{
	unsigned char buf[1024];
	struct kvm_ept_sample_stats_query q;
	size_t i, end;

	memset(buf, 0xa5, sizeof(buf));
	report("stats_v4", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS, buf));
	for (i = KVM_EPT_SAMPLE_STATS_V4_SIZE; i < sizeof(buf) && buf[i] == 0xa5; i++)
		;
	printf("stats_v4 intact=%d\n", i == sizeof(buf));
	report("stats_sized_badptr", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED, (void *)8));
	q.size = 64;
	q.stats = 8;
	report("stats_sized_bad_array", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED, &q));
	memset(buf, 0xa5, sizeof(buf));
	q.size = 8;
	q.stats = (uintptr_t)buf;
	report("stats_sized_small", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED, &q));
	for (i = 8; i < sizeof(buf) && buf[i] == 0xa5; i++)
		;
	printf("stats_small size=%llu intact=%d\n", (unsigned long long)q.size,
	       i == sizeof(buf));
	memset(buf, 0xa5, sizeof(buf));
	q.size = sizeof(buf);
	report("stats_sized_big", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS_SIZED, &q));
	end = q.size;
	for (i = end; i < sizeof(buf) && buf[i] == 0xa5; i++)
		;
	printf("stats_big size=%llu struct=%zu intact=%d\n", (unsigned long long)q.size,
	       sizeof(struct kvm_ept_sample_stats), i == sizeof(buf));
}

int main(int argc, char **argv)
{
	unsigned char canary[64];
	struct kvm_ept_sample_get_memslots gm;
	struct kvm_ept_sample_memslot slots[4];
	struct kvm_ept_sample_stats st;
	struct pollfd pfd;
	long guest;
	int fd, fd2, i;

	if (argc != 2 || (guest = strtol(argv[1], NULL, 10)) <= 1) {
		fprintf(stderr, "usage: ept_badinput GUEST_PID\n");
		return 2;
	}

	/* Who may open it: root only (mode 0600), and CAP_SYS_ADMIN. */
	open_as_nobody("open_nobody");
	open_without_caps("open_root_without_caps");

	fd = open_dev();
	report("read_before_init", read(fd, canary, 4));
	report("getmemslots_before_init", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS, &gm));
	report("deinit_before_init", ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, 0));
	report("init_pid0", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, 0));
	report("init_pid_negative", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, -5L));
	report("init_pid_missing", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, 3999999));
	report("init_not_a_vm", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, 1));
	report("prot0", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_PROT, 0));
	report("prot8", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_PROT, 8));
	report("freq_huge", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 2000000));
	report("format3", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, 3));
	report("expire_auto", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_EXPIRE, 0));
	report("expire_huge", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_EXPIRE, 60001));
	report("expire_ok", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_EXPIRE, 500));
	report("censored2", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_CENSORED, 2));
	report("censored_ok", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_CENSORED, 0));
	report("revisit65", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_REVISIT, 65));
	report("revisit_ok", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_REVISIT, 0));
	report("mode4", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_MODE, 4));
	/* The reads below check fault samples in both formats. */
	report("mode_faults", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_MODE, KVM_EPT_SAMPLE_MODE_FAULTS));
	report("unknown_cmd", ioctl(fd, 1299, 0));
	report("version", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_VERSION, 0));
	report("stats_badptr", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS, (void *)8));
	stats_sized(fd);

	report("init_guest", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, guest));
	report("init_twice", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, guest));
	fd2 = open_dev();
	report("init_second_session", ioctl(fd2, KVM_EPT_SAMPLE_CMD_INIT, guest));
	close(fd2);

	report("getmemslots_badptr", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS, (void *)8));
	gm.memslots = (void *)8;
	gm.capacity = 4;
	report("getmemslots_bad_array", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS, &gm));
	gm.memslots = slots;
	gm.capacity = 4;
	gm.count = 0;
	report("getmemslots_ok", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_MEMSLOTS, &gm));
	printf("memslots count=%zu gpa0=0x%llx pages0=%zu\n", gm.count,
	       (unsigned long long)slots[0].gpa, slots[0].page_count);

	/* Collect samples, then read them wrongly. */
	report("freq", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, 2000));
	report("format2", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, 2));
	pfd.fd = fd;
	pfd.events = POLLIN;
	report("poll", poll(&pfd, 1, 5000));
	report("read_short_v2", read(fd, canary, 31));
	report("read_unaligned_v2", read(fd, canary, 40));
	report("read_badptr_v2", read(fd, bad_pointer(), 32));
	memset(canary, 0xa5, sizeof(canary));
	report("read_one_v2", read(fd, canary, 32));
	for (i = 32; i < 64 && canary[i] == 0xa5; i++)
		;
	printf("canary_v2 intact=%d\n", i == 64);

	report("format1", ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FORMAT, 1));
	report("poll1", poll(&pfd, 1, 5000));
	report("read_short_v1", read(fd, canary, 3));
	report("read_unaligned_v1", read(fd, canary, 6));
	report("read_badptr_v1", read(fd, bad_pointer(), 4));
	memset(canary, 0xa5, sizeof(canary));
	report("read_one_v1", read(fd, canary, 4));
	for (i = 4; i < 64 && canary[i] == 0xa5; i++)
		;
	printf("canary_v1 intact=%d\n", i == 64);

	report("stats", ioctl(fd, KVM_EPT_SAMPLE_CMD_GET_STATS, &st));
	printf("stats armed=%llu recorded=%llu\n", (unsigned long long)st.armed,
	       (unsigned long long)st.recorded);
	report("deinit", ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, 0));
	report("deinit_again", ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, 0));
	report("reinit_guest", ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, guest));
	close(fd);
	return 0;
}
