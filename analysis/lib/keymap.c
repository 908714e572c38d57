/* SPDX-License-Identifier: GPL-2.0 */
/* keymap.c - open-addressing hash map (see keymap.h). */
#include "keymap.h"

#include <stdlib.h>
#include <string.h>

#include "common.h"

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = mix64(h ^ w);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, p, len);
		h = mix64(h ^ w ^ 0xa5);
	}
	return h;
}

void keymap_init(struct keymap *m)
{
	memset(m, 0, sizeof(*m));
	m->nslots = 1024;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	m->acap = 4096;
	m->arena = xmalloc(m->acap);
}

void keymap_free(struct keymap *m)
{
	free(m->slots);
	free(m->e);
	free(m->arena);
	memset(m, 0, sizeof(*m));
}

void keymap_clear(struct keymap *m)
{
	memset(m->slots, 0, m->nslots * sizeof(*m->slots));
	m->n = 0;
	m->alen = 0;
}

static size_t probe(const struct keymap *m, uint64_t h, const void *key,
		    size_t len, int *found)
{
	size_t mask = m->nslots - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t s = m->slots[i];
		const struct keymap_entry *e;

		if (!s) {
			*found = 0;
			return i;
		}
		e = &m->e[s - 1];
		if (e->hash == h && e->klen == len &&
		    !memcmp(m->arena + e->koff, key, len)) {
			*found = 1;
			return i;
		}
	}
}

static void grow(struct keymap *m)
{
	size_t nslots = m->nslots * 2, mask = nslots - 1;
	uint32_t *slots = xcalloc(nslots, sizeof(*slots));

	for (size_t k = 0; k < m->n; k++) {
		size_t i = m->e[k].hash & mask;

		while (slots[i])
			i = (i + 1) & mask;
		slots[i] = (uint32_t)(k + 1);
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = nslots;
}

size_t keymap_find(const struct keymap *m, const void *key, size_t len)
{
	int found;
	size_t i = probe(m, hash_bytes(key, len), key, len, &found);

	return found ? m->slots[i] - 1 : (size_t)-1;
}

size_t keymap_get(struct keymap *m, const void *key, size_t len)
{
	uint64_t h = hash_bytes(key, len);
	int found;
	size_t i = probe(m, h, key, len, &found);
	struct keymap_entry *e;

	if (found)
		return m->slots[i] - 1;
	if (m->n >= UINT32_MAX - 1)
		abort();	/* 4 G distinct keys: out of memory anyway */
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->e = xrealloc(m->e, m->cap * sizeof(*m->e));
	}
	if (m->alen + len > m->acap) {
		while (m->alen + len > m->acap)
			m->acap *= 2;
		m->arena = xrealloc(m->arena, m->acap);
	}
	memcpy(m->arena + m->alen, key, len);
	e = &m->e[m->n];
	e->hash = h;
	e->value = 0;
	e->koff = m->alen;
	e->klen = (uint32_t)len;
	m->alen += len;
	m->slots[i] = (uint32_t)++m->n;
	if (m->n * 4 > m->nslots * 3)
		grow(m);
	return m->n - 1;
}

uint64_t keymap_key_u64(const struct keymap *m, size_t i)
{
	uint64_t k;

	memcpy(&k, keymap_key(m, i), sizeof(k));
	return k;
}

void keymap_merge(struct keymap *dst, const struct keymap *src)
{
	for (size_t i = 0; i < src->n; i++)
		keymap_add(dst, keymap_key(src, i), src->e[i].klen,
			   src->e[i].value);
}
