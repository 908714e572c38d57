/* SPDX-License-Identifier: GPL-2.0 */
/*
 * histo - histograms from logs: one number per line, key=value pairs,
 * columns, the module's text and binary sample logs, SystemTap output
 * (including its own @hist text, which is merged). Prints text in the
 * style of SystemTap's @hist_log/@hist_linear, gnuplot-ready data, or
 * a plot. See docs/analysis.md.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/common.h"
#include "lib/filter.h"
#include "lib/hist.h"
#include "lib/keymap.h"
#include "lib/num.h"
#include "lib/plot.h"
#include "lib/reader.h"
#include "lib/values.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: histo [OPTIONS] [FILE...]\n"
"Histogram of a field of log lines, from FILEs or stdin, in the style of\n"
"SystemTap's @hist_log / @hist_linear. Several files are merged.\n"
"\n"
"Input (detected; --format forces it):\n"
"  num   one integer per line (decimal or 0x hex)\n"
"  kv    key=value pairs (the module's text sample log, stap scripts);\n"
"        -f KEY picks the value\n"
"  cols  whitespace columns; -f N (1-based) or -f NAME from a header line\n"
"  csv   comma-separated columns with a header line, as kvm_stat -c and\n"
"        kvmstat -c log them (detected by \"timestamp,\"); -f N or -f NAME\n"
"  bin   the module's binary sample log; -f names a sample field\n"
"  stap  SystemTap output: @hist_log/@hist_linear text is re-read and\n"
"        merged, key=value lines are read with -f KEY\n"
"Sample logs (text, SystemTap's t= vcpu= gfn= type= or binary) take the\n"
"same sample fields: t, vcpu, gfn, type, level, delay, flags, expired,\n"
"revisit, abit (also time_ns, delay_ns, xwr).\n"
"\n"
"Options:\n"
"  -f, --field FIELD       the field to read (see above)\n"
"  -F, --format FMT        auto (default), num, kv (or text), cols, csv, bin,\n"
"                          stap\n"
"      --log2              log2 buckets, as @hist_log (default)\n"
"      --linear MIN,MAX,WIDTH\n"
"                          linear buckets, as @hist_linear(v, MIN, MAX, WIDTH)\n"
"      --top N             count each distinct value; show the N most frequent\n"
"      --data              print gnuplot-ready data instead of text\n"
"      --plot FILE         draw the histogram with gnuplot into FILE\n"
"                          (.png or .svg, 1000x600): log2 buckets on a log\n"
"                          axis; the text is printed too\n"
"  -t, --title TEXT        plot title (default: the field)\n"
"  -u, --unit UNIT         the values' unit, for --plot: ns (shown as ns,\n"
"                          us, ms or s as fits), other text (named on the\n"
"                          axis), none (default: ns for the sample logs'\n"
"                          times t, delay, wait and any NAME_ns, else none)\n"
"  -o, --output FILE       write the text or data to FILE (default stdout)\n"
"  -q, --quiet             no '# count=...' summary line\n"
"  -j, --jobs N            threads for a large regular file (default: the\n"
"                          number of CPUs, at most 8); 1 = sequential\n"
"  -h, --help              this help\n"
"%s"
"\n"
"Environment: GNUPLOT, the command --plot writes its script to (default\n"
"gnuplot).\n"
"\n"
"Malformed lines are skipped, counted and reported on stderr with the\n"
"first line numbers; the exit status stays 0.\n"
"\n"
"Examples:\n"
"  histo -f delay samples.txt              # arming-to-access delays, log2\n"
"  histo -f delay --linear 0,100000,5000 samples.bin\n"
"  histo --top 10 -f gfn samples.bin       # the 10 most sampled frames\n"
"  histo -f vcpu --top 8 stap.log          # samples per vCPU\n"
"  seq 1 1000 | histo --linear 0,1000,100\n"
"  histo -f 3 data.txt; histo -f latency data.txt   # a column\n"
"  histo run1.hist run2.hist               # merge two printed histograms\n"
"  histo -f delay --plot delay.svg samples.txt\n"
"  histo -f delay --data samples.txt > delay.dat     # for gnuplot\n"
"  histo -f delay --no-expired --vcpu 0 samples.bin  # accesses of vCPU 0\n"
"\n%s",
	      filter_help, exit_help);
}

enum { OPT_LOG2 = 256, OPT_LINEAR, OPT_TOP, OPT_DATA, OPT_PLOT };

static const struct option longopts[] = {
	{ "field", required_argument, NULL, 'f' },
	{ "format", required_argument, NULL, 'F' },
	{ "log2", no_argument, NULL, OPT_LOG2 },
	{ "linear", required_argument, NULL, OPT_LINEAR },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "data", no_argument, NULL, OPT_DATA },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "title", required_argument, NULL, 't' },
	{ "unit", required_argument, NULL, 'u' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	FILTER_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static void parse_linear(const char *arg, int64_t p[3])
{
	char *copy = xstrdup(arg), *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok && n < 3;
	     tok = strtok_r(NULL, ",", &save))
		p[n++] = opt_i64(tok, "--linear");
	if (n != 3 || tok)
		errx(2, "--linear wants MIN,MAX,WIDTH, e.g. 0,1000,100");
	free(copy);
}

struct topent {
	const char *key;
	size_t len;
	uint64_t count;
};

/* A --top key as a number (decimal or 0x hex, optional sign): 1 with
 * its sign and magnitude, 0 if it is not one. */
static int key_number(const char *k, size_t len, int *neg, uint64_t *mag)
{
	const char *e = k + len;

	*neg = len && *k == '-';
	if (len && (*k == '-' || *k == '+'))
		k++;
	return !parse_u64(k, e, mag);
}

/* Most frequent first; ties in numeric order when both keys are numbers
 * (0x2 before 0x10), numbers before other keys, else byte order. */
static int topent_cmp(const void *a, const void *b)
{
	const struct topent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int xn, yn, xneg, yneg, c;
	uint64_t xm, ym;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	xn = key_number(x->key, x->len, &xneg, &xm);
	yn = key_number(y->key, y->len, &yneg, &ym);
	if (xn != yn)
		return xn ? -1 : 1;
	if (xn && (xneg != yneg || xm != ym)) {
		if (xneg != yneg)
			return xneg ? -1 : 1;
		return (xm < ym) == !xneg ? -1 : 1;
	}
	c = memcmp(x->key, y->key, n);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The N most frequent keys as bars (labels allocated in *labels). */
static size_t top_bars(const struct keymap *m, size_t n, struct bar **bars,
		       char **labels)
{
	struct topent *t = xcalloc(m->n, sizeof(*t));
	size_t total = 0, off = 0;

	for (size_t i = 0; i < m->n; i++) {
		t[i].key = keymap_key(m, i);
		t[i].len = m->e[i].klen;
		t[i].count = m->e[i].value;
	}
	qsort(t, m->n, sizeof(*t), topent_cmp);
	if (n > m->n)
		n = m->n;
	for (size_t i = 0; i < n; i++)
		total += t[i].len + 1;
	*bars = xcalloc(n, sizeof(**bars));
	*labels = xmalloc(total + 1);
	for (size_t i = 0; i < n; i++) {
		memcpy(*labels + off, t[i].key, t[i].len);
		(*labels)[off + t[i].len] = 0;
		(*bars)[i].label = *labels + off;
		(*bars)[i].count = t[i].count;
		off += t[i].len + 1;
	}
	free(t);
	return n;
}

/* Inputs at least this large are split between threads. */
#define SPLIT_MIN	(32u << 20)

struct part {
	pthread_t tid;
	struct lreader r;
	struct vsource vs;
	struct hist h;
	struct keymap top;
	int use_top;
};

static void *part_run(void *arg)
{
	struct part *p = arg;

	vsource_run(&p->vs, &p->r, p->use_top ? NULL : &p->h,
		    p->use_top ? &p->top : NULL);
	return NULL;
}

/* The offset just past the first '\n' at or after OFF (or SIZE). */
static uint64_t line_boundary(int fd, uint64_t off, uint64_t size)
{
	char buf[4096];

	while (off < size) {
		ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);
		char *nl;

		if (n <= 0)
			return size;
		nl = memchr(buf, '\n', (size_t)n);
		if (nl)
			return off + (uint64_t)(nl - buf) + 1;
		off += (uint64_t)n;
	}
	return size;
}

/* Read the rest of R (set up as VS) in JOBS threads over byte ranges,
 * merging into H or TOP and VS's counters. */
static void run_split(struct lreader *r, struct vsource *vs, unsigned jobs,
		      uint64_t start, uint64_t size, struct hist *h,
		      struct keymap *top)
{
	struct part *parts = xcalloc(jobs, sizeof(*parts));
	uint64_t len = size - start, b = start, lines = 0;

	for (unsigned k = 0; k < jobs; k++) {
		struct part *p = &parts[k];
		uint64_t e;

		if (k == jobs - 1) {
			e = size;
		} else if (vs->fmt == VF_BIN) {
			e = start + len / jobs * (k + 1) / vs->recsize *
				    vs->recsize;
		} else {
			e = line_boundary(r->fd, start + len / jobs * (k + 1),
					  size);
		}
		if (e < b)
			e = b;
		vsource_fork(&p->vs, vs);
		if (vs->fmt == VF_BIN)
			p->vs.recno = (b - start) / vs->recsize;
		lr_open_range(&p->r, r->fd, r->name, b, e, &p->vs.bad);
		p->use_top = top != NULL;
		if (top)
			keymap_init(&p->top);
		else
			hist_init_like(&p->h, h);
		b = e;
		if (pthread_create(&p->tid, NULL, part_run, p))
			errx(1, "cannot create a thread");
	}
	for (unsigned k = 0; k < jobs; k++) {
		struct part *p = &parts[k];

		pthread_join(p->tid, NULL);
		if (top) {
			keymap_merge(top, &p->top);
			keymap_free(&p->top);
		} else {
			hist_merge(h, &p->h);
			hist_free(&p->h);
		}
		bad_merge(&vs->bad, &p->vs.bad,
			  vs->fmt == VF_BIN ? 0 : lines);
		lines += p->r.lineno;
		vs->values += p->vs.values;
		lr_close(&p->r);
	}
	free(parts);
}

struct opts {
	const char *field, *plot, *title, *out, *unit;
	enum vformat fmt;
	int linear, data, quiet;
	int64_t lp[3];
	unsigned jobs;
	uint64_t topn;
	struct filter filt;
};

/* Read one input into H or TOP; exits 2 when it cannot be read or does
 * not fit the options (before anything is printed). */
static void read_input(const char *path, const struct opts *o,
		       struct hist *h, struct keymap *top, uint64_t *values)
{
	struct lreader r;
	struct vsource vs;
	struct stat st;
	const char *why;

	if (lr_open(&r, path, NULL))
		err(EXIT_USAGE, "%s", path);
	why = vsource_start(&vs, &r, o->fmt, o->field,
			    filter_active(&o->filt) ? &o->filt : NULL);
	if (why) {
		lr_close(&r);
		errx(EXIT_USAGE, "%s: %s", path, why);
	}
	if (o->jobs > 1 && vsource_splittable(&vs) && !fstat(r.fd, &st) &&
	    S_ISREG(st.st_mode) && (uint64_t)st.st_size >= SPLIT_MIN &&
	    lseek(r.fd, 0, SEEK_CUR) == (off_t)r.off) {
		/* Bytes consumed so far: the binary header, if any. */
		uint64_t start = r.off - (uint64_t)(r.lim - r.pos);

		run_split(&r, &vs, o->jobs, start, (uint64_t)st.st_size, h,
			  top);
	} else {
		vsource_run(&vs, &r, h, top);
	}
	lr_close(&r);
	if (vs.fatal)
		errx(EXIT_USAGE, "%s: %s", path, vs.fatal);
	bad_report(&vs.bad, stderr, path);
	*values += vs.values;
}

/* The options into O; exits 2 on bad ones. */
static void parse_args(int argc, char **argv, struct opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	o->jobs = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (unsigned)ncpu;
	while ((c = getopt_long(argc, argv, "f:F:t:u:o:qj:h", longopts,
				NULL)) != -1) {
		if (filter_option(&o->filt, c, optarg))
			continue;
		switch (c) {
		case 'f': o->field = optarg; break;
		case 'F':
			c = vformat_parse(optarg);
			if (c < 0)
				errx(2, "unknown --format %s (auto, num, kv, "
				     "text, cols, bin, stap)", optarg);
			o->fmt = (enum vformat)c;
			break;
		case OPT_LOG2: o->linear = 0; break;
		case OPT_LINEAR: o->linear = 1; parse_linear(optarg, o->lp); break;
		case OPT_TOP:
			o->topn = opt_u64(optarg, "--top");
			if (!o->topn)
				errx(2, "--top wants a positive count");
			break;
		case OPT_DATA: o->data = 1; break;
		case OPT_PLOT: o->plot = optarg; break;
		case 't': o->title = optarg; break;
		case 'u': o->unit = optarg; break;
		case 'o': o->out = optarg; break;
		case 'q': o->quiet = 1; break;
		case 'j':
			o->jobs = opt_u64(optarg, "--jobs");
			if (o->jobs < 1 || o->jobs > 64)
				errx(2, "--jobs wants 1 to 64");
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (o->plot && plot_path_ok(o->plot))
		errx(2, "--plot %s: the file name must end in .png or .svg",
		     o->plot);
	if (!o->unit)
		o->unit = plot_default_unit(o->field);
	else if (!strcmp(o->unit, "none") || !*o->unit)
		o->unit = NULL;
}

/* Draw the plot of H or of the --top bars. */
static int draw(const struct opts *o, const struct hist *h,
		const struct bar *bars, size_t nbars, uint64_t values,
		size_t distinct)
{
	const char *field = o->field ? o->field : "value";
	struct plot p = {
		.path = o->plot,
		.title = o->title ? o->title : field,
		.field = field,
		.unit = o->unit,
	};

	return o->topn ? bars_plot(bars, nbars, values, distinct, &p) :
			 hist_plot(h, &p);
}

int main(int argc, char **argv)
{
	struct opts o = { .fmt = VF_AUTO };
	uint64_t values = 0;
	int status = 0;
	struct hist h;
	struct keymap top;
	struct bar *bars;
	char *labels;
	size_t nbars;
	FILE *f;

	parse_args(argc, argv, &o);
	if (o.linear) {
		const char *why = hist_init_linear(&h, o.lp[0], o.lp[1], o.lp[2]);

		if (why)
			errx(2, "--linear %" PRId64 ",%" PRId64 ",%" PRId64
			     ": %s", o.lp[0], o.lp[1], o.lp[2], why);
	} else {
		hist_init_log2(&h);
	}
	if (o.topn)
		keymap_init(&top);

	for (int i = optind; i < argc || i == optind; i++)
		read_input(i < argc ? argv[i] : "-", &o, o.topn ? NULL : &h,
			   o.topn ? &top : NULL, &values);
	if (!values) {
		warnx("no values read%s", filter_active(&o.filt) ?
		      " (after the record filters)" : "");
		status = EXIT_NODATA;
	}

	f = open_output(o.out);
	if (o.topn) {
		nbars = top_bars(&top, o.topn, &bars, &labels);
		if (!o.quiet && !o.data)
			fprintf(f, "# count=%" PRIu64 " distinct=%zu\n",
				values, top.n);
	} else {
		nbars = hist_bars(&h, &bars, &labels);
		if (!o.quiet && !o.data)
			hist_print_summary(f, &h);
	}
	if (o.data && !o.topn)
		hist_print_data(f, &h);
	else if (o.data)
		bars_data(f, bars, nbars);
	else
		bars_print(f, bars, nbars, !o.topn);
	if (fflush(f) || ferror(f))
		err(EXIT_USAGE, "%s", o.out ? o.out : "stdout");
	if (o.plot && values &&
	    draw(&o, &h, bars, nbars, values, o.topn ? top.n : 0))
		status = EXIT_USAGE;
	if (f != stdout)
		fclose(f);
	free(bars);
	free(labels);
	hist_free(&h);
	if (o.topn)
		keymap_free(&top);
	return status;
}
