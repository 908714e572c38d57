// SPDX-License-Identifier: GPL-2.0
/*
 * devslots.c - --device-slots: two memslots that are not RAM, as a real
 * VMM has them, which the guest never touches:
 *  - slot 2, a ROM: 64 KiB of anonymous memory registered with
 *    KVM_MEM_READONLY (what QEMU does for option ROMs and flash in ROM mode);
 *  - slot 3, device memory: a 128 KiB window of /dev/mem at the legacy VGA
 *    address 0xa0000, which the kernel maps with remap_pfn_range, so the
 *    VMA is VM_IO | VM_PFNMAP, as a passed-through PCI BAR is.
 * A sampler must never arm either (tests/lab/kmod_safety.t).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "devslots.h"

#define ROM_SIZE	(64ULL << 10)
#define DEV_SIZE	(128ULL << 10)
#define DEV_PHYS	0xa0000ULL

static void print_slot(FILE *out, int slot, uint64_t gpa, uint64_t size,
		       void *hva, unsigned int flags, const char *kind)
{
	fprintf(out, "memslot slot=%d gpa=0x%llx gfn_start=%llu gfn_end=%llu npages=%llu size=%llu hva=%p flags=0x%x backing=%s\n",
		slot, (unsigned long long)gpa, (unsigned long long)(gpa >> 12),
		(unsigned long long)((gpa + size) >> 12),
		(unsigned long long)(size >> 12), (unsigned long long)size, hva,
		flags, kind);
}

int devslots_add(struct devslots *d, struct vm *vm, uint64_t gpa, FILE *out)
{
	int fd;

	memset(d, 0, sizeof(*d));
	d->rom = mmap(NULL, ROM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (d->rom == MAP_FAILED) {
		fprintf(stderr, "guest: --device-slots: mmap: %s\n", strerror(errno));
		return -1;
	}
	d->rom_size = ROM_SIZE;
	if (vm_set_slot(vm, DEVSLOT_ROM_SLOT, gpa, ROM_SIZE, d->rom, KVM_MEM_READONLY))
		return -1;
	print_slot(out, DEVSLOT_ROM_SLOT, gpa, ROM_SIZE, d->rom, KVM_MEM_READONLY, "rom");

	fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd < 0) {
		fprintf(stderr, "guest: --device-slots: /dev/mem: %s (needs root and CONFIG_DEVMEM)\n",
			strerror(errno));
		return -1;
	}
	d->dev = mmap(NULL, DEV_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      (off_t)DEV_PHYS);
	close(fd);
	if (d->dev == MAP_FAILED) {
		fprintf(stderr, "guest: --device-slots: mmap of /dev/mem at 0x%llx: %s\n",
			DEV_PHYS, strerror(errno));
		d->dev = NULL;
		return -1;
	}
	d->dev_size = DEV_SIZE;
	if (vm_set_slot(vm, DEVSLOT_DEV_SLOT, gpa + ROM_SIZE, DEV_SIZE, d->dev, 0))
		return -1;
	print_slot(out, DEVSLOT_DEV_SLOT, gpa + ROM_SIZE, DEV_SIZE, d->dev, 0, "device");
	return 0;
}

void devslots_free(struct devslots *d)
{
	if (d->rom && d->rom != MAP_FAILED)
		munmap(d->rom, d->rom_size);
	if (d->dev)
		munmap(d->dev, d->dev_size);
}
