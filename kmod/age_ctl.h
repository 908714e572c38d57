/* SPDX-License-Identifier: GPL-2.0 */
/*
 * age_ctl.h - the accessed-bit mode's two controllers as pure arithmetic:
 * how long an interval is (it adapts so that 15% to 45% of the units
 * observed were touched) and how many frames a round clears. The module
 * (age.c) and the host simulator of its default mode (bench/abit-sim.c)
 * both include this file, so the simulator runs the module's own rules.
 *
 * It includes nothing: the includer provides u32, u64 and bool (the
 * kernel's, or typedefs of <stdint.h>'s), and ept_age_div64() (div64_u64
 * in the kernel, plain division on the host).
 */
#ifndef EPT_AGE_CTL_H
#define EPT_AGE_CTL_H

#define EPT_AGE_NS_PER_MS	1000000ULL
#define EPT_AGE_NS_PER_S	1000000000ULL
#define EPT_AGE_INTERVAL_INIT	(10 * EPT_AGE_NS_PER_MS)
#define EPT_AGE_INTERVAL_MIN	(EPT_AGE_NS_PER_MS / 10)
#define EPT_AGE_INTERVAL_MAX	(1000 * EPT_AGE_NS_PER_MS)
#define EPT_AGE_WINDOW		(500 * EPT_AGE_NS_PER_MS)
#define EPT_AGE_WINDOW_UNITS	64	/* units a window needs to count */
#define EPT_AGE_TOUCHED_HIGH	45	/* % touched: above, the interval halves */
#define EPT_AGE_TOUCHED_LOW	15	/* % touched: below, it doubles */
#define EPT_AGE_SATURATED_WINDOWS 2	/* at the floor and above HIGH, in a row */
#define EPT_AGE_MIN_RATE	65536	/* frames/s, at least, by default */
#define EPT_AGE_TOUCHED_TARGET	30	/* % touched the jump aims at */
#define EPT_AGE_JUMP_MAX	8	/* the most a jump divides by */
#define EPT_AGE_JUMP_WINDOWS	16	/* a jump's window: intervals, at least 50 ms */

struct ept_age_ctl {
	u64 interval_ns;
	bool adaptive;			/* age_interval_ms 0: the interval adapts */
	bool saturated;			/* the bits cannot tell: stays set */
	bool jump;			/* a candidate (bench/abit-sim -J only) */
	u32 saturated_windows;		/* in a row: at the floor, still > HIGH */
	u64 window_start, window_observed, window_touched;
	u64 credit;			/* frames * ns not yet cleared */
};

/* A session's start: a fixed interval of fixed_ns, or 0 to adapt. */
static inline void ept_age_ctl_init(struct ept_age_ctl *c, u64 fixed_ns)
{
	c->adaptive = !fixed_ns;
	c->interval_ns = fixed_ns ? fixed_ns : EPT_AGE_INTERVAL_INIT;
	c->saturated = false;
	c->jump = false;
	c->saturated_windows = 0;
	c->window_start = 0;
	c->window_observed = 0;
	c->window_touched = 0;
	c->credit = 0;
}

/* One chunk observed: units of it, touched of them. */
static inline void ept_age_ctl_observed(struct ept_age_ctl *c, u64 units,
					u64 touched)
{
	c->window_observed += units;
	c->window_touched += touched;
}

/*
 * The window a decision waits for: EPT_AGE_WINDOW; with jump, 16 intervals
 * (at least 50 ms, at most EPT_AGE_WINDOW), so that a short interval
 * decides sooner.
 */
static inline u64 ept_age_ctl_window(const struct ept_age_ctl *c)
{
	u64 w = c->interval_ns * EPT_AGE_JUMP_WINDOWS;

	if (!c->jump)
		return EPT_AGE_WINDOW;
	if (w < 50 * EPT_AGE_NS_PER_MS)
		return 50 * EPT_AGE_NS_PER_MS;
	return w < EPT_AGE_WINDOW ? w : EPT_AGE_WINDOW;
}

/*
 * What a too-touched window divides the interval by: 2; with jump, the
 * touched share over EPT_AGE_TOUCHED_TARGET, rounded up, 2 to 8.
 */
static inline u64 ept_age_ctl_divisor(const struct ept_age_ctl *c)
{
	u64 d;

	if (!c->jump)
		return 2;
	d = ept_age_div64(c->window_touched * 100 + c->window_observed *
			  EPT_AGE_TOUCHED_TARGET - 1,
			  c->window_observed * EPT_AGE_TOUCHED_TARGET);
	if (d < 2)
		return 2;
	return d < EPT_AGE_JUMP_MAX ? d : EPT_AGE_JUMP_MAX;
}

/*
 * At a round's time now: once a window has passed (with enough units
 * observed), move the adaptive interval toward 15-45% touched. Returns
 * whether it reconsidered the interval.
 */
static inline bool ept_age_ctl_adapt(struct ept_age_ctl *c, u64 now)
{
	if (!c->window_start)
		c->window_start = now;
	if (!c->adaptive || now - c->window_start < ept_age_ctl_window(c) ||
	    c->window_observed < EPT_AGE_WINDOW_UNITS)
		return false;
	if (c->window_touched * 100 > c->window_observed * EPT_AGE_TOUCHED_HIGH) {
		u64 div = ept_age_ctl_divisor(c);

		/* At the floor and still touched: the bits cannot tell. */
		if (c->interval_ns == EPT_AGE_INTERVAL_MIN &&
		    ++c->saturated_windows >= EPT_AGE_SATURATED_WINDOWS)
			c->saturated = true;
		div = ept_age_div64(c->interval_ns, div);
		c->interval_ns = div > EPT_AGE_INTERVAL_MIN ? div : EPT_AGE_INTERVAL_MIN;
	} else {
		c->saturated_windows = 0;
		if (c->window_touched * 100 < c->window_observed * EPT_AGE_TOUCHED_LOW)
			c->interval_ns = c->interval_ns * 2 < EPT_AGE_INTERVAL_MAX ?
					 c->interval_ns * 2 : EPT_AGE_INTERVAL_MAX;
	}
	c->window_start = now;
	c->window_observed = 0;
	c->window_touched = 0;
	return true;
}

/*
 * Frames to clear in a round elapsed_ns after the last one (the caller
 * bounds elapsed_ns): fixed_rate frames a second (age_frames), or with 0
 * every one of the armable frames once a second, and at least
 * EPT_AGE_MIN_RATE a second.
 */
static inline u64 ept_age_ctl_frames(struct ept_age_ctl *c, u64 fixed_rate,
				     u64 armable, u64 elapsed_ns)
{
	u64 rate = fixed_rate, frames;

	if (!rate)
		rate = armable > EPT_AGE_MIN_RATE ? armable : EPT_AGE_MIN_RATE;
	c->credit += rate * elapsed_ns;
	frames = ept_age_div64(c->credit, EPT_AGE_NS_PER_S);
	c->credit -= frames * EPT_AGE_NS_PER_S;
	return frames;
}

#endif /* EPT_AGE_CTL_H */
