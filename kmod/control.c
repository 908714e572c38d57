// SPDX-License-Identifier: GPL-2.0
/*
 * control.c - how fast a session arms, and how long an armed unit waits.
 *
 * The budget (SET_FREQ) is samples per second. Every control window
 * (EPT_WINDOW_MS) the controller compares the samples recorded with it:
 *
 * Adaptive expiry (the default; SET_EXPIRE 0): the arming rate stays at
 * its cap (arm_rate_cap times the budget, within the hard limits), and
 * the expiry moves instead. With the arming rate fixed, a longer expiry
 * catches more of the armed units and a shorter one fewer, so:
 *  - too few samples: the expiry doubles (at most, up to EPT_EXPIRE_AUTO_MAX);
 *  - too many: the expiry drops to the delay below which the wanted share
 *    of this window's catches came, read off a log2 histogram of their
 *    delays. Every arming caught before that delay would still have been
 *    caught, so the next window records about the budget.
 * This spends the whole arming budget on coverage, and sets the expiry from
 * the guest's own arming-to-access delays: a guest that touches its pages
 * a hundred times faster gets an expiry a hundred times shorter. Only when
 * even EPT_EXPIRE_AUTO_MIN catches too much does the arming rate come down.
 * docs/kmod.md ("The expiry") derives why the cap is the right rate.
 *
 * Fixed expiry (SET_EXPIRE N, or the expire_ms parameter): the arming rate
 * follows budget / recorded-per-second, at most doubling or halving per
 * window, up to the cap.
 *
 * yield_check, with either expiry: the arming rate starts at the budget,
 * and a raise that brought no more samples is taken back for
 * EPT_CEILING_WINDOWS windows (with the adaptive expiry, the expiry grows
 * instead).
 */
#include <linux/log2.h>

#include "ept.h"

#define EPT_WINDOW_NS		(500ULL * NSEC_PER_MSEC)
#define EPT_CEILING_WINDOWS	10
#define EPT_RATE_MAX		(16ULL * EPT_MAX_FREQ)	/* units/s */
#define EPT_EXPIRE_AUTO_INIT	(10ULL * NSEC_PER_MSEC)
#define EPT_EXPIRE_AUTO_MIN	(1ULL * NSEC_PER_MSEC)
#define EPT_EXPIRE_AUTO_MAX	(1000ULL * NSEC_PER_MSEC)

/* The highest arming rate the cap and the hard limits allow. */
static u64 ept_rate_max(struct ept_session *s, u32 freq)
{
	u64 cap = min_t(u64, (u64)s->ctl.rate_cap * freq, EPT_RATE_MAX);

	cap = min(cap, s->limits.arms_per_sec);
	return max_t(u64, min(cap, s->limits.zaps_per_sec * s->walk.chunk), 1);
}

/* Called by the fault path under arm_lock for each caught access. */
void ept_control_delay(struct ept_session *s, u64 delay_ns)
{
	u32 b = delay_ns ? ilog2(delay_ns) : 0;

	s->delay_hist[min_t(u32, b, EPT_HIST_BUCKETS - 1)]++;
}

static void ept_clear_hist(struct ept_session *s)
{
	unsigned long flags;

	spin_lock_irqsave(&s->arm_lock, flags);
	memset(s->delay_hist, 0, sizeof(s->delay_hist));
	spin_unlock_irqrestore(&s->arm_lock, flags);
}

/* This window's histogram of caught delays (and clear it); returns the catches. */
static u64 ept_take_hist(struct ept_session *s, u32 *hist)
{
	unsigned long flags;
	u64 total = 0;
	u32 b;

	spin_lock_irqsave(&s->arm_lock, flags);
	memcpy(hist, s->delay_hist, sizeof(s->delay_hist));
	memset(s->delay_hist, 0, sizeof(s->delay_hist));
	spin_unlock_irqrestore(&s->arm_lock, flags);
	for (b = 0; b < EPT_HIST_BUCKETS; b++)
		total += hist[b];
	return total;
}

/*
 * The delay below which want of the total catches in hist came, linear
 * within a log2 bucket.
 */
static u64 ept_hist_quantile(const u32 *hist, u64 total, u64 want)
{
	u64 cum = 0, lo;
	u32 b;

	for (b = 0; b < EPT_HIST_BUCKETS; b++) {
		if (cum + hist[b] >= want && hist[b]) {
			lo = 1ULL << b;
			return lo + div64_u64(lo * (want - cum), hist[b]);
		}
		cum += hist[b];
	}
	return ~0ULL;
}

/* A new attachment, or the expiry setting changed: where the expiry starts. */
void ept_control_expire_start(struct ept_session *s)
{
	if (s->ctl.auto_expire)
		WRITE_ONCE(s->expire_ns, EPT_EXPIRE_AUTO_INIT);
}

/* A new budget: the arming rate starts over (the expiry stays where it is). */
void ept_control_start(struct ept_session *s, u32 freq, u64 now)
{
	struct ept_control *c = &s->ctl;

	c->freq = freq;
	if (c->auto_expire && !c->yield_check)
		c->rate = ept_rate_max(s, freq);
	else
		c->rate = clamp_t(u64, freq, 1, ept_rate_max(s, freq));
	c->prev_rate = 0;
	c->prev_per_sec = 0;
	c->ceiling = 0;
	c->ceiling_left = 0;
	c->window_start = now;
	c->window_recorded = ept_recorded(s);
	ept_clear_hist(s);
	/* Stopped (budget 0): the statistics keep the rate it stopped at. */
	if (freq)
		s->stats.arm_rate = c->rate;
}

/*
 * yield_check: the last window ran at a higher rate than the one before
 * and brought no more samples, short of the budget: hold the rate at the
 * earlier one for EPT_CEILING_WINDOWS windows. Returns the ceiling in
 * force (0: none).
 */
static u64 ept_control_yield(struct ept_control *c, u64 per_sec)
{
	u64 ran = c->rate;

	if (!c->yield_check)
		return 0;
	if (ran > c->prev_rate && c->prev_rate &&
	    per_sec <= c->prev_per_sec && per_sec < c->freq) {
		c->ceiling = c->prev_rate;
		c->ceiling_left = EPT_CEILING_WINDOWS;
	} else if (c->ceiling_left && !--c->ceiling_left) {
		c->ceiling = 0;
	}
	c->prev_rate = ran;
	c->prev_per_sec = per_sec;
	return c->ceiling;
}

/* Adaptive expiry: move the expiry, and the rate only at its floor. */
static void ept_control_auto(struct ept_session *s, u64 per_sec)
{
	struct ept_control *c = &s->ctl;
	u32 hist[EPT_HIST_BUCKETS];
	u64 caught = ept_take_hist(s, hist), e = s->expire_ns, rate_max;

	rate_max = ept_rate_max(s, c->freq);
	if (ept_control_yield(c, per_sec))
		rate_max = min(rate_max, c->ceiling);
	if (per_sec * 10 < (u64)c->freq * 9) {
		if (c->rate < rate_max)
			c->rate = min(c->rate * 2, rate_max);
		else
			e = min(e * 2, EPT_EXPIRE_AUTO_MAX);
	} else if (per_sec * 10 > (u64)c->freq * 11) {
		if (e > EPT_EXPIRE_AUTO_MIN && caught) {
			e = ept_hist_quantile(hist, caught,
					      div64_u64(caught * c->freq, per_sec));
			e = clamp(e, max(s->expire_ns / 8, EPT_EXPIRE_AUTO_MIN),
				  s->expire_ns);
		} else {
			c->rate = max(div64_u64(c->rate * c->freq, per_sec),
				      c->rate / 2);
		}
	}
	c->rate = clamp_t(u64, c->rate, 1, rate_max);
	WRITE_ONCE(s->expire_ns, e);
}

/* Fixed expiry: steer the arming rate toward the budget. */
static void ept_control_fixed(struct ept_session *s, u64 per_sec)
{
	struct ept_control *c = &s->ctl;
	u64 ceiling = ept_control_yield(c, per_sec);

	if (per_sec == 0)
		c->rate *= 2;
	else
		c->rate = clamp(div64_u64(c->rate * c->freq, per_sec),
				c->rate / 2, c->rate * 2);
	if (ceiling)
		c->rate = min(c->rate, ceiling);
	c->rate = clamp_t(u64, c->rate, 1, ept_rate_max(s, c->freq));
}

/* Once a window: read the samples recorded since the last, and steer. */
void ept_control(struct ept_session *s, u64 now)
{
	struct ept_control *c = &s->ctl;
	u64 elapsed = now - c->window_start, recorded, per_sec;

	if (elapsed < EPT_WINDOW_NS || !c->freq)
		return;
	recorded = ept_recorded(s);
	per_sec = div64_u64((recorded - c->window_recorded) * NSEC_PER_SEC, elapsed);
	if (c->auto_expire)
		ept_control_auto(s, per_sec);
	else
		ept_control_fixed(s, per_sec);
	s->stats.arm_rate = c->rate;
	s->stats.expire_ns = s->expire_ns;
	c->window_start = now;
	c->window_recorded = recorded;
}

/* The units this round may arm: the rate times the time since the last. */
u64 ept_control_units(struct ept_session *s, u64 now)
{
	struct ept_control *c = &s->ctl;
	u64 elapsed, n, pay;

	elapsed = min_t(u64, now - c->last_round,
			10ULL * EPT_PERIOD_MS * NSEC_PER_MSEC);
	c->last_round = now;
	if (!c->freq)
		return 0;
	c->credit += c->rate * elapsed;
	pay = min(c->debt, c->credit);
	c->debt -= pay;
	c->credit -= pay;
	n = div64_u64(c->credit, NSEC_PER_SEC);
	c->credit -= n * NSEC_PER_SEC;
	return n;
}

/*
 * A round armed units more than it was given (a chunk is armed whole): the
 * next rounds arm that many fewer, so a low budget is not rounded up to a
 * chunk per round.
 */
void ept_control_overdrawn(struct ept_session *s, u64 units)
{
	s->ctl.debt += units * NSEC_PER_SEC;
}
