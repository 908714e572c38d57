// SPDX-License-Identifier: GPL-2.0
/*
 * ept_compat.c - a client of the ORIGINAL kvm-ept-sample API, written as
 * the original README shows it: open, INIT, SET_PROT, SET_FREQ, then a
 * loop of non-blocking reads of 4-byte {gfn:29, xwr:3} records, printing
 * "gfn = %x, wxr = %x". Only two things differ from the README's snippet:
 * error checks (the README omits them), and the loop stops after SECONDS
 * instead of running forever. The README's open() path has a typo
 * ("kvm_etp_sample"); this uses the real path, as the original header does.
 *
 * Usage: ept_compat PID XWR FREQ SECONDS
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../../include/kvm_ept_sample.h"

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: ept_compat PID XWR FREQ SECONDS\n");
		return 2;
	}
	int pid = atoi(argv[1]), xwr = atoi(argv[2]), freq = atoi(argv[3]);
	time_t end = time(NULL) + atoi(argv[4]);
	long total = 0;

	int fd = open("/proc/kvm_ept_sample", O_RDWR);  // open the module
	if (fd < 0 ||
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_INIT, pid) ||       // set the pid to sample
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_PROT, xwr) ||   // set the access type to sample
	    ioctl(fd, KVM_EPT_SAMPLE_CMD_SET_FREQ, freq)) {  // set the frequency to sample
		perror("ept_compat");
		return 1;
	}
	while (time(NULL) < end) {
		struct kvm_ept_sample samples[64];
		ssize_t len = read(fd, samples, sizeof(samples));   // try to read the samples
		if (len < 0) {
			perror("read");
			return 1;
		}
		if (len) {
			size_t count = len / sizeof(struct kvm_ept_sample);
			for (size_t i = 0; i < count; i++) {          // print all the samples
				struct kvm_ept_sample *sample = samples + i;
				printf("gfn = %x, wxr = %x\n", sample->gfn, sample->xwr);
			}
			total += count;
		} else {
			sleep(1);   // wait for more samples
		}
	}
	if (ioctl(fd, KVM_EPT_SAMPLE_CMD_DEINIT, NULL)) {
		perror("DEINIT");
		return 1;
	}
	close(fd);
	fprintf(stderr, "ept_compat: %ld samples\n", total);
	return 0;
}
