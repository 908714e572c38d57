/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keymap.h - hash map from short byte strings to a 64-bit value, with
 * entries numbered 0..n-1 in insertion order (so callers can keep
 * parallel arrays). Used for histo --top (any field value) and for
 * hotness (8-byte frame numbers). Memory grows with distinct keys.
 */
#ifndef ANALYSIS_KEYMAP_H
#define ANALYSIS_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct keymap_entry {
	uint64_t hash;
	uint64_t value;
	size_t koff;		/* key bytes at arena + koff */
	uint32_t klen;
};

struct keymap {
	uint32_t *slots;	/* entry index + 1, 0 = empty */
	size_t nslots;		/* power of two */
	struct keymap_entry *e;
	size_t n, cap;
	char *arena;
	size_t alen, acap;
};

void keymap_init(struct keymap *m);
void keymap_free(struct keymap *m);
void keymap_clear(struct keymap *m);
/* Entry index of KEY, inserted with value 0 if absent. */
size_t keymap_get(struct keymap *m, const void *key, size_t len);
/* Add W to KEY's value (inserting it). Use this rather than
 * m->e[keymap_get()] - the call may move m->e. */
static inline void keymap_add(struct keymap *m, const void *key, size_t len,
			      uint64_t w)
{
	size_t i = keymap_get(m, key, len);

	m->e[i].value += w;
}
/* Entry index of KEY or (size_t)-1. */
size_t keymap_find(const struct keymap *m, const void *key, size_t len);
static inline const char *keymap_key(const struct keymap *m, size_t i)
{
	return m->arena + m->e[i].koff;
}

/* Frame-number keys */
static inline size_t keymap_get_u64(struct keymap *m, uint64_t k)
{
	return keymap_get(m, &k, sizeof(k));
}
static inline void keymap_add_u64(struct keymap *m, uint64_t k, uint64_t w)
{
	keymap_add(m, &k, sizeof(k), w);
}
static inline size_t keymap_find_u64(const struct keymap *m, uint64_t k)
{
	return keymap_find(m, &k, sizeof(k));
}
/* Add the values of SRC's keys into DST. */
void keymap_merge(struct keymap *dst, const struct keymap *src);
uint64_t keymap_key_u64(const struct keymap *m, size_t i);

#endif
