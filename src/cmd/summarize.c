/* SPDX-License-Identifier: MIT */
/* `digestd summarize`: argument parsing, streaming each input through the
 * summariser arena, and text or JSON output. An unreadable input is reported
 * and skipped; the others are still summarised. */
#include "summarize.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/json.h"
#include "core/log.h"

static struct summ arena;
static struct article_header header; /* the seed header of the current input */
static unsigned char chunk[INPUT_CHUNK_BYTES];

enum format { FMT_TEXT, FMT_JSON, FMT_FEATURES };

static const char usage[] =
	"usage: digestd summarize [-n N | --ratio R] [--words W]\n"
	"                         [--lang auto|en|fr|de|es|it|pt]\n"
	"                         [--format text|json|features] [--method rank|lead]\n"
	"                         [FILE|-]...\n";

/* A whole number from 1 to max (-n, --words). */
static int parse_count(const char *v, unsigned max, unsigned *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || end == v || n < 1 || n > (long)max)
		return -EINVAL;
	*out = (unsigned)n;
	return 0;
}

/* A ratio such as 0.2 or 20%, kept in thousandths. */
static int parse_ratio(const char *v, unsigned *permille)
{
	char *end;
	double r;

	errno = 0;
	r = strtod(v, &end);
	if (errno || end == v)
		return -EINVAL;
	if (*end == '%' && end[1] == '\0')
		r /= 100.0;
	else if (*end)
		return -EINVAL;
	if (!(r > 0.0 && r <= 1.0))
		return -EINVAL;
	*permille = (unsigned)(r * 1000.0 + 0.5);
	if (*permille == 0)
		*permille = 1;
	return 0;
}

static void print_text(const struct summ_result *r, int first)
{
	const unsigned char *text = summ_text(&arena);

	if (!first)
		putchar('\n');
	for (unsigned i = 0; i < r->n_picks; i++) {
		text_write(stdout, text + r->picks[i].offset, r->picks[i].length, 1);
		putchar('\n');
	}
}

static void print_json(const char *name, const struct summ_result *r)
{
	const unsigned char *text = summ_text(&arena);

	fputs("{\"file\":", stdout);
	json_write_string(stdout, name, strlen(name), 0);
	fputs(",\"title\":", stdout);
	json_write_string(stdout, header.title, strlen(header.title), 1);
	printf(",\"lang\":\"%s\",\"sentences\":%u,\"bytes\":%llu,\"truncated\":%s,"
	       "\"joined\":%u,\"passed\":%u,\"summary\":[",
	       lang_code(r->lang), (unsigned)r->sentences, (unsigned long long)r->bytes,
	       r->truncated ? "true" : "false", (unsigned)r->joined, (unsigned)r->passed);
	for (unsigned i = 0; i < r->n_picks; i++) {
		const struct summ_pick *p = &r->picks[i];

		printf("%s{\"index\":%u,\"offset\":%u,\"length\":%u,\"words\":%u,"
		       "\"score\":%u.%04u,\"text\":",
		       i ? "," : "", (unsigned)p->index, (unsigned)p->offset,
		       (unsigned)p->length, (unsigned)p->words, (unsigned)(p->score / 10000u),
		       (unsigned)(p->score % 10000u));
		json_write_string(stdout, text + p->offset, p->length, 1);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

/* Every sentence with the scorer's inputs (struct summ_features), for
 * tools/train-scorer.py: one JSON object per input. */
static void print_features(const char *name, const struct summ_result *r)
{
	const unsigned char *text = summ_text(&arena);

	fputs("{\"file\":", stdout);
	json_write_string(stdout, name, strlen(name), 0);
	printf(",\"lang\":\"%s\",\"sentences\":[", lang_code(r->lang));
	for (uint32_t i = 0; i < r->sentences; i++) {
		const struct summ_sentence *ss = &arena.sent[i];
		struct summ_features f;

		summ_features(&arena, i, &f);
		printf("%s{\"index\":%u,\"paragraph\":%u,\"para_start\":%u,\"fragment\":%u,"
		       "\"words\":%u,\"distinct\":%u,\"title\":%u,\"numbers\":%u,\"caps\":%u,"
		       "\"quote\":%u,\"salience\":%llu,\"score\":%u,\"text\":",
		       i ? "," : "", (unsigned)f.index, (unsigned)f.paragraph,
		       (unsigned)f.para_start, (unsigned)f.fragment, (unsigned)f.words,
		       (unsigned)f.distinct, (unsigned)f.title, (unsigned)f.numbers,
		       (unsigned)f.caps, (unsigned)f.quote, (unsigned long long)f.salience,
		       (unsigned)f.score);
		json_write_string(stdout, text + ss->start, ss->end - ss->start, 1);
		putchar('}');
	}
	fputs("]}\n", stdout);
}

int summarize_seed_end(struct summ *s, const struct summ_opts *o, struct article_header *h,
		       struct summ_result *r)
{
	struct summ_opts with = *o;

	with.skip = article_parse_header((const char *)summ_text(s), summ_text_len(s), h);
	with.title = h->title;
	with.title_len = strlen(h->title);
	if (with.lang == LANG_UND && h->lang[0])
		lang_parse(h->lang, strlen(h->lang), &with.lang);
	return summ_end(s, &with, r);
}

/* Streams one input through the arena and summarises it as a seed file.
 * Returns 0 or -errno. */
static int summarise_fd(int fd, const struct summ_opts *o, struct summ_result *r)
{
	summ_begin(&arena);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		summ_feed(&arena, chunk, (size_t)n);
	}
	return summarize_seed_end(&arena, o, &header, r);
}

static int open_input(const char *name, int *fd)
{
	struct stat st;

	if (strcmp(name, "-") == 0) {
		*fd = STDIN_FILENO;
		return 0;
	}
	*fd = open(name, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	if (fstat(*fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(*fd);
		return -EISDIR;
	}
	return 0;
}

int cmd_summarize(int argc, char **argv)
{
	struct summ_opts o = { .count = 3, .lang = LANG_UND, .method = SUMM_RANK };
	enum format fmt = FMT_TEXT;
	int status = 0, first_file = 1, i, have_count = 0;
	static const char *const stdin_only[] = { "-" };
	const char *const *files;
	int nfiles;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (strncmp(a, "-n", 2) == 0 && a[2] != '\0' && a[1] != '-') {
			v = a + 2;
			a = "-n";
		} else if (strncmp(a, "--", 2) == 0 && strchr(a, '=')) {
			static char opt[32];
			size_t k = (size_t)(strchr(a, '=') - a);
			if (k >= sizeof(opt))
				goto bad_option;
			memcpy(opt, a, k);
			opt[k] = '\0';
			v = a + k + 1;
			a = opt;
		} else if (i + 1 < argc && (strcmp(a, "-n") == 0 || strcmp(a, "--ratio") == 0 ||
					    strcmp(a, "--words") == 0 ||
					    strcmp(a, "--lang") == 0 || strcmp(a, "--format") == 0 ||
					    strcmp(a, "--method") == 0)) {
			v = argv[++i];
		}
		if (strcmp(a, "-n") == 0 && v) {
			if (parse_count(v, SUMM_MAX_PICK, &o.count) < 0) {
				log_errx("summarize: -n wants a whole number from 1 to %u, not '%s'",
					 SUMM_MAX_PICK, v);
				return EX_USAGE;
			}
			have_count = 1;
		} else if (strcmp(a, "--ratio") == 0 && v) {
			if (parse_ratio(v, &o.ratio_permille) < 0) {
				log_errx("summarize: --ratio wants a share in (0, 1] such as 0.2 or 20%%, not '%s'",
					 v);
				return EX_USAGE;
			}
		} else if (strcmp(a, "--words") == 0 && v) {
			if (parse_count(v, SUMM_MAX_WORDS, &o.words) < 0) {
				log_errx("summarize: --words wants a whole number from 1 to %u, not '%s'",
					 SUMM_MAX_WORDS, v);
				return EX_USAGE;
			}
		} else if (strcmp(a, "--lang") == 0 && v) {
			if (strcmp(v, "auto") == 0) {
				o.lang = LANG_UND;
			} else if (lang_parse(v, strlen(v), &o.lang) < 0 || o.lang == LANG_UND) {
				log_errx("summarize: --lang wants auto, en, fr, de, es, it or pt, not '%s'",
					 v);
				return EX_USAGE;
			}
		} else if (strcmp(a, "--format") == 0 && v) {
			if (strcmp(v, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(v, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(v, "features") == 0)
				fmt = FMT_FEATURES;
			else {
				log_errx("summarize: --format wants text, json or features, not '%s'",
					 v);
				return EX_USAGE;
			}
		} else if (strcmp(a, "--method") == 0 && v) {
			if (strcmp(v, "rank") == 0)
				o.method = SUMM_RANK;
			else if (strcmp(v, "lead") == 0)
				o.method = SUMM_LEAD;
			else {
				log_errx("summarize: --method wants rank or lead, not '%s'", v);
				return EX_USAGE;
			}
		} else {
			goto bad_option;
		}
	}
	if (have_count && o.ratio_permille) {
		log_errx("summarize: -n and --ratio cannot be used together");
		return EX_USAGE;
	}
	/* A word budget alone takes as many sentences as fit. */
	if (o.words && !have_count && !o.ratio_permille)
		o.count = SUMM_MAX_PICK;
	files = (const char *const *)argv + i;
	nfiles = argc - i;
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}

	/* Touch the arena and the read buffer once so that memory use is the
	 * same for a tweet and for a 100 MB stream. */
	memset(&arena, 0, sizeof(arena));
	memset(chunk, 0, sizeof(chunk));
	for (int f = 0; f < nfiles; f++) {
		struct summ_result r;
		const char *name = files[f];
		int fd, err;

		err = open_input(name, &fd);
		if (err == 0) {
			err = summarise_fd(fd, &o, &r);
			if (fd != STDIN_FILENO)
				close(fd);
		}
		if (err < 0) {
			log_errx("summarize: cannot read '%s': %s", name, strerror(-err));
			status = EX_NOINPUT;
			continue;
		}
		if (fmt == FMT_JSON)
			print_json(name, &r);
		else if (fmt == FMT_FEATURES)
			print_features(name, &r);
		else
			print_text(&r, first_file);
		first_file = 0;
	}
	if (fflush(stdout) != 0) {
		log_errx("summarize: cannot write output: %s", strerror(errno));
		return EX_IOERR;
	}
	return status;

bad_option:
	log_errx("summarize: unknown or incomplete option '%s'", argv[i]);
	fputs(usage, stderr);
	return EX_USAGE;
}
