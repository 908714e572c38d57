/* SPDX-License-Identifier: GPL-2.0 */
/*
 * session.h - a session of /proc/kvm_ept_sample (API format 2) and the
 * VM's memslots through GET_MEMSLOTS: the guest-frame to host-virtual-
 * address map of the VMM. Shared by eptsample, placement and tier/.
 */
#ifndef ANALYSIS_SESSION_H
#define ANALYSIS_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "../../include/kvm_ept_sample.h"

/* Open /proc/kvm_ept_sample in format 2; -1 with the reason printed
 * (the module not loaded, no permission, an older module). */
int session_open(void);
/* The names of KVM_EPT_SAMPLE_MODE_* in order, for opt_choice. */
extern const char *const session_modes[];
/* What INIT's errno means, in words. */
const char *session_init_error(int err);
/* Attach the session FD to the VM of process PID, not sampling (the
 * frequency 0); 0, or -1 with the reason printed. */
int session_attach(int fd, uint64_t pid);
/* Detach (DEINIT) and close. */
void session_close(int fd);

/* The VM's memslots, sorted by guest address. */
struct memslots {
	struct kvm_ept_sample_memslot *s;
	size_t n;
	uint64_t frames;	/* 4 KiB frames in all slots */
};

/* Query the memslots of the session's VM into MS (replacing what it
 * held); 0 or -errno. */
int memslots_get(int fd, struct memslots *ms);
void memslots_free(struct memslots *ms);
/* The frame index of GFN (0..frames-1, in slot order), or -1 when no
 * slot holds it. */
int64_t memslots_index(const struct memslots *ms, uint64_t gfn);
/*
 * One memslot line, "gpa=0x.. hva=0x.. pages=N" (as eptsample -l writes
 * it, and after "# memslot " in its logs with -m): NULL, or the reason it
 * is malformed.
 */
const char *memslot_parse(const char *l, uint64_t *gpa, uint64_t *hva,
			  uint64_t *pages);
/* The memslot lines of file PATH into MS (other lines are skipped): 0, or
 * -1 with errno set (I/O), or with errno EINVAL and *why (a bad line, or
 * none at all). */
int memslots_load(const char *path, struct memslots *ms, const char **why);
/* The guest frame of frame index I (< frames). */
uint64_t memslots_gfn(const struct memslots *ms, uint64_t i);
/* The VMM's address of GFN, or 0 when no slot holds it. */
uint64_t memslots_hva(const struct memslots *ms, uint64_t gfn);

#endif
