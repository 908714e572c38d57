/* SPDX-License-Identifier: GPL-2.0 */
/* rng.h - the test programs' pseudo-random numbers (xorshift64), seedable. */
#ifndef TESTS_RNG_H
#define TESTS_RNG_H

#include <stdint.h>

static uint64_t rng_state = 88172645463325252ULL;

static inline uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#endif
