// SPDX-License-Identifier: GPL-2.0
/*
 * tui.c - kvmstat's full-screen view (ncurses), kvm_stat's: one line per
 * statistic with its total, its share of all the totals and its current
 * rate, sorted by rate (or by total), refreshed every DELAY seconds, and
 * kvm_stat's keys where they apply:
 *   c  clear the filter          f  filter by regular expression
 *   g  watch a guest by name     h  help
 *   o  sort by total / by rate   p  watch a VMM by pid
 *   q  quit                      r  reset the totals
 *   s  set the update interval   x  show / hide the child events
 * Instant and peak values show their value, with no share or rate.
 */
#include <curses.h>
#include <linux/kvm.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../analysis/lib/common.h"
#include "kvmstat.h"

struct tui {
	struct env *env;
	tui_pick_fn pick;	/* g and p: switch the watched VMs */
	void *ctx;
	char said[256];		/* pick's answer, for msg */
	regex_t re;
	int have_re;
	char filter[128];
	int by_total;		/* o: sort by total, not by rate */
	int children;		/* x: child events shown (kvm_stat's default: no) */
	const char *msg;	/* a line under the header, until the next key */
	double secs;		/* the last refresh's interval */
};

struct row {
	const struct field *f;
	double rate;		/* per second over the last interval */
	uint64_t total;
	char name[160];		/* column_name's, formatted once */
};

static int row_cmp_rate(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->rate != y->rate)
		return x->rate > y->rate ? -1 : 1;
	return x->total < y->total ? 1 : x->total > y->total ? -1 : 0;
}

static int row_cmp_total(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return x->rate > y->rate ? -1 : x->rate < y->rate;
}

static int is_value(const struct field *f)
{
	return field_type(f) == KVM_STATS_TYPE_INSTANT ||
	       field_type(f) == KVM_STATS_TYPE_PEAK;
}

static int shown(const struct tui *u, const struct field *f, const char *name)
{
	regmatch_t m;

	if (!f->present || field_is_hist(f))
		return 0;
	if (!u->children && strchr(name, '('))
		return 0;
	return !u->have_re || (!regexec(&u->re, name, 1, &m, 0) && m.rm_so == 0);
}

static void draw(struct tui *u, const struct table *t)
{
	double secs = u->secs;
	struct row *rows = xcalloc(t->n ? t->n : 1, sizeof(*rows));
	char name[sizeof(rows->name)];
	uint64_t sum = 0;
	size_t n = 0, i;
	int y;

	for (i = 0; i < t->n; i++) {
		const struct field *f = &t->f[i];

		column_name(rows[n].name, sizeof(rows[n].name), t, f, SIZE_MAX);
		if (!shown(u, f, rows[n].name))
			continue;
		rows[n].f = f;
		rows[n].total = field_value(f);
		rows[n].rate = is_value(f) ? 0 : field_delta(f) / (secs > 0 ? secs : 1);
		if (!is_value(f))
			sum += rows[n].total;
		n++;
	}
	qsort(rows, n, sizeof(*rows), u->by_total ? row_cmp_total : row_cmp_rate);
	erase();
	if (u->env->pid)
		snprintf(name, sizeof(name), "pid %d", (int)u->env->pid);
	else
		snprintf(name, sizeof(name), "all VMs");
	mvprintw(0, 0, "kvmstat %s  interval %.1f s  sorted by %s%s%s", name,
		 u->env->delay, u->by_total ? "total" : "current rate",
		 u->have_re ? "  filter: " : "", u->have_re ? u->filter : "");
	if (u->msg)
		mvprintw(1, 0, "%s", u->msg);
	attron(A_REVERSE);
	mvprintw(2, 0, "%-40s %12s %7s %12s", "Event", "Total", "%Total", "CurAvg/s");
	attroff(A_REVERSE);
	for (i = 0, y = 3; i < n && y < LINES - 1; i++, y++) {
		const struct row *r = &rows[i];

		if (is_value(r->f))
			mvprintw(y, 0, "%-40.40s %12llu %7s %12s", r->name,
				 (unsigned long long)r->total, "", type_name(r->f));
		else
			mvprintw(y, 0, "%-40.40s %12llu %6.1f%% %12.1f", r->name,
				 (unsigned long long)r->total,
				 sum ? 100.0 * r->total / sum : 0.0, r->rate);
	}
	if (!n)
		mvprintw(3, 0, "(no statistic%s)", u->have_re ? " matches the filter" : "");
	mvprintw(LINES - 1, 0, "h help  q quit");
	refresh();
	free(rows);
}

/* PROMPT on the last line; the answer into BUF. */
static void ask(const char *prompt, char *buf, int len)
{
	move(LINES - 1, 0);
	clrtoeol();
	printw("%s", prompt);
	echo();
	nocbreak();
	cbreak();
	timeout(-1);
	getnstr(buf, len - 1);
	noecho();
}

static void set_filter(struct tui *u, const char *s)
{
	if (u->have_re)
		regfree(&u->re);
	u->have_re = 0;
	u->filter[0] = '\0';
	if (!*s)
		return;
	if (regcomp(&u->re, s, REG_EXTENDED)) {
		u->msg = "not a valid regular expression";
		return;
	}
	u->have_re = 1;
	snprintf(u->filter, sizeof(u->filter), "%s", s);
}

static void help(void)
{
	static const char *const lines[] = {
		"kvmstat: the full-screen view (kvm_stat's keys)",
		"",
		"  c   clear the filter",
		"  f   filter the statistics by a regular expression (from the name's start)",
		"  g   watch the VMM of a guest name (its -name; empty for every VM)",
		"  h   this help",
		"  o   sort by total / by current rate",
		"  p   watch the VMM of a pid (empty for every VM)",
		"  q   quit",
		"  r   reset the totals to 0",
		"  s   set the update interval",
		"  x   show / hide the child events (kvm_exit(REASON) ...)",
		"",
		"Any key to go back.",
	};
	size_t i;

	erase();
	for (i = 0; i < ARRAY_SIZE(lines); i++)
		mvprintw((int)i, 0, "%s", lines[i]);
	refresh();
	timeout(-1);
	getch();
}

/* One key: 1 to quit, 0 to go on. */
static int key(struct tui *u, struct table *t, int c)
{
	char buf[128];
	char *end;
	double d;

	u->msg = NULL;
	switch (c) {
	case 'q': return 1;
	case 'c': set_filter(u, ""); break;
	case 'f':
		ask("filter (regular expression, empty for none): ", buf, sizeof(buf));
		set_filter(u, buf);
		break;
	case 'o': u->by_total = !u->by_total; break;
	case 'r': table_reset(t); u->msg = "totals reset"; break;
	case 's':
		ask("update interval (0.1 to 25.5 s): ", buf, sizeof(buf));
		d = strtod(buf, &end);
		if (end != buf && !*end && d >= 0.1 && d <= 25.5)
			u->env->delay = d;
		else
			u->msg = "the interval is 0.1 to 25.5 seconds";
		break;
	case 'x': u->children = !u->children; break;
	case 'g':
	case 'p':
		ask(c == 'g' ? "guest name (empty for every VM): " :
			"pid (empty for every VM): ", buf, sizeof(buf));
		u->pick(u->ctx, c, buf, u->said, sizeof(u->said));
		u->msg = u->said;
		/* a source's message on stderr may have crossed the screen */
		clearok(curscr, TRUE);
		break;
	case 'h': help(); break;
	default: break;
	}
	return 0;
}

int tui_run(struct env *env, struct table *t, int (*refresh_cb)(void *ctx),
	    tui_pick_fn pick, void *ctx)
{
	struct tui u = { .env = env, .pick = pick, .ctx = ctx };
	double last = now_s(), next = last + env->delay;
	int c, gone = 0;

	SCREEN *scr = newterm(NULL, stdout, stdin);

	if (!scr) {
		fprintf(stderr, "kvmstat: cannot start the full-screen view: terminal '%s' unknown (set TERM, or use -l)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	draw(&u, t);
	while (!gone) {
		double left = next - now_s();

		timeout(left > 0 ? (int)(left * 1000) + 1 : 0);
		c = getch();
		if (c != ERR) {
			if (key(&u, t, c))
				break;
			draw(&u, t);
			continue;
		}
		if (now_s() < next)
			continue;
		gone = refresh_cb(ctx);
		u.secs = now_s() - last;
		draw(&u, t);
		last = now_s();
		next = last + env->delay;
	}
	endwin();
	delscreen(scr);
	if (u.have_re)
		regfree(&u.re);
	if (gone > 0)
		fprintf(stderr, "kvmstat: no VM left to watch\n");
	return gone < 0 ? 1 : 0;
}
