/* SPDX-License-Identifier: MIT */
/* Date parsing for feeds. Two readers: a strict-shaped ISO 8601 one for
 * strings that start "YYYY-" or "YYYYMMDD", and a token reader for everything
 * RFC 822-like, which accepts its parts in any order as asctime() does. */
#include "date.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "core/dec.h"
#include "core/utf8.h"

struct date_parts {
	int64_t year;
	int month, day, hour, min, sec;
	int zone_min; /* east of UTC, in minutes */
};

int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian
	 * calendar and free of the TZ dependence of timegm/mktime. */
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m)
{
	static const unsigned char dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

static int parts_to_time(const struct date_parts *d, int64_t *out)
{
	int sec = d->sec;

	if (d->year < 1 || d->year > 9999 || d->month < 1 || d->month > 12)
		return -EINVAL;
	if (d->day < 1 || d->day > days_in_month(d->year, d->month))
		return -EINVAL;
	/* 24:00:00 is the end of the day (ISO 8601); a leap second is kept in
	 * the same minute, as UTC seconds cannot express it. */
	if (d->hour > 24 || d->min > 59 || sec > 60 ||
	    (d->hour == 24 && (d->min || sec)))
		return -EINVAL;
	if (sec == 60)
		sec = 59;
	*out = date_days_from_civil(d->year, (unsigned)d->month, (unsigned)d->day) * 86400 +
	       d->hour * 3600 + d->min * 60 + sec - (int64_t)d->zone_min * 60;
	return 0;
}


/* Reads exactly n digits at *p (within end); returns the value or -1. */
static int digits(const char **p, const char *end, int n)
{
	uint64_t v;
	size_t used;

	if (n < 0 || end - *p < n || dec_read(*p, (size_t)n, INT_MAX, &v, &used) != 0 ||
	    used != (size_t)n)
		return -1;
	*p += n;
	return (int)v;
}

static size_t count_digits(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && utf8_is_digit(p[n]))
		n++;
	return n;
}

/* "+hh", "+hhmm", "+hh:mm" (also "-"); returns 0 or -EINVAL. */
static int numeric_zone(const char **pp, const char *end, int *zone_min)
{
	const char *p = *pp;
	int sign = *p == '-' ? -1 : 1, h, m = 0;
	size_t n;

	p++;
	n = count_digits(p, end);
	if (n == 4) {
		h = digits(&p, end, 2);
		m = digits(&p, end, 2);
	} else if (n == 1 || n == 2) {
		h = digits(&p, end, (int)n);
		n = p < end && *p == ':' ? count_digits(p + 1, end) : 0;
		if (n == 1 || n == 2) {
			p++;
			m = digits(&p, end, (int)n);
		}
	} else if (n == 3) {
		/* "+530": one-digit hour, as some feeds write it. */
		h = digits(&p, end, 1);
		m = digits(&p, end, 2);
	} else {
		return -EINVAL;
	}
	if (h > 23 || m > 59)
		return -EINVAL;
	*zone_min = sign * (h * 60 + m);
	*pp = p;
	return 0;
}

static int zone_name(const char *w, size_t n, int *zone_min)
{
	static const struct {
		const char *name;
		int hours;
	} names[] = {
		{ "ut", 0 },   { "utc", 0 },  { "gmt", 0 },  { "z", 0 },    { "wet", 0 },
		{ "bst", 1 },  { "cet", 1 },  { "met", 1 },  { "cest", 2 }, { "mest", 2 },
		{ "eet", 2 },  { "eest", 3 }, { "adt", -3 }, { "ast", -4 }, { "edt", -4 },
		{ "est", -5 }, { "cdt", -5 }, { "cst", -6 }, { "mdt", -6 }, { "mst", -7 },
		{ "pdt", -7 }, { "pst", -8 }, { "akdt", -8 }, { "akst", -9 },
		{ "hst", -10 }, { "jst", 9 }, { "kst", 9 },
	};
	char buf[8];

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		buf[i] = utf8_ascii_lower(w[i]);
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(buf, names[i].name) == 0) {
			*zone_min = names[i].hours * 60;
			return 0;
		}
	}
	/* Military zones with RFC 822's own signs (A = -1, N = +1), which is
	 * what the widely used feed readers apply. J is not a zone. */
	if (n == 1 && buf[0] >= 'a' && buf[0] <= 'y' && buf[0] != 'j') {
		int c = buf[0];
		if (c <= 'i')
			*zone_min = -(c - 'a' + 1) * 60;
		else if (c <= 'm')
			*zone_min = -(c - 'k' + 10) * 60;
		else
			*zone_min = (c - 'n' + 1) * 60;
		return 0;
	}
	return -EINVAL;
}

static int month_name(const char *w, size_t n)
{
	static const char months[12][4] = { "jan", "feb", "mar", "apr", "may", "jun",
					    "jul", "aug", "sep", "oct", "nov", "dec" };
	char b[3];

	if (n < 3)
		return 0;
	for (int i = 0; i < 3; i++)
		b[i] = utf8_ascii_lower(w[i]);
	for (int m = 0; m < 12; m++) {
		if (memcmp(b, months[m], 3) == 0)
			return m + 1;
	}
	return 0;
}

static int day_name(const char *w, size_t n)
{
	static const char days[7][4] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	char b[3];

	if (n < 3)
		return 0;
	for (int i = 0; i < 3; i++)
		b[i] = utf8_ascii_lower(w[i]);
	for (int d = 0; d < 7; d++) {
		if (memcmp(b, days[d], 3) == 0)
			return 1;
	}
	return 0;
}

/* "hh:mm[:ss[.frac]]" at p; returns 0 or -EINVAL. */
static int clock_time(const char **pp, const char *end, struct date_parts *d)
{
	const char *p = *pp;
	size_t n = count_digits(p, end);

	if (n < 1 || n > 2)
		return -EINVAL;
	d->hour = digits(&p, end, (int)n);
	/* Minutes and seconds of one digit ("12:35:9") are seen in feeds. */
	n = p < end && *p == ':' ? count_digits(p + 1, end) : 0;
	if (n < 1 || n > 2)
		return -EINVAL;
	p++;
	d->min = digits(&p, end, (int)n);
	n = p < end && *p == ':' ? count_digits(p + 1, end) : 0;
	if (n == 1 || n == 2) {
		p++;
		d->sec = digits(&p, end, (int)n);
		if (p < end && (*p == '.' || *p == ',') && count_digits(p + 1, end) > 0) {
			p++;
			p += count_digits(p, end);
		}
	}
	*pp = p;
	return 0;
}

static void skip_space(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n'))
		(*p)++;
}

/* ISO 8601 / RFC 3339 / W3C-DTF: "YYYY[-MM[-DD]][(T| )hh:mm[:ss[.f]]][zone]"
 * and the basic forms "YYYYMMDD[Thhmmss]". */
static int parse_iso(const char *p, const char *end, int64_t *out)
{
	struct date_parts d = { 0, 1, 1, 0, 0, 0, 0 };
	int basic = count_digits(p, end) == 8 || count_digits(p, end) == 14;
	char sep = 0;

	d.year = digits(&p, end, 4);
	if (d.year < 0)
		return -EINVAL;
	if (basic) {
		d.month = digits(&p, end, 2);
		d.day = digits(&p, end, 2);
	} else if (p < end && (*p == '-' || *p == '/')) {
		sep = *p++;
		d.month = digits(&p, end, 2);
		if (d.month < 0) {
			d.month = digits(&p, end, 1);
			if (d.month < 0)
				return -EINVAL;
		}
		if (p < end && *p == sep) {
			p++;
			d.day = count_digits(p, end) == 1 ? digits(&p, end, 1) : digits(&p, end, 2);
			if (d.day < 0)
				return -EINVAL;
		}
	}
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ') && p + 1 < end && utf8_is_digit(p[1])) {
		p++;
		if (count_digits(p, end) >= 4 && (count_digits(p, end) == 4 || count_digits(p, end) == 6)) {
			size_t n = count_digits(p, end);
			d.hour = digits(&p, end, 2);
			d.min = digits(&p, end, 2);
			if (n == 6)
				d.sec = digits(&p, end, 2);
			if (p < end && (*p == '.' || *p == ',')) {
				p++;
				p += count_digits(p, end);
			}
		} else if (clock_time(&p, end, &d) < 0) {
			return -EINVAL;
		}
	}
	skip_space(&p, end);
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		if (numeric_zone(&p, end, &d.zone_min) < 0)
			return -EINVAL;
	} else if (p < end && utf8_ascii_alpha(*p)) {
		const char *w = p;
		while (p < end && utf8_ascii_alpha(*p))
			p++;
		if (zone_name(w, (size_t)(p - w), &d.zone_min) < 0)
			return -EINVAL;
	}
	skip_space(&p, end);
	if (p != end)
		return -EINVAL;
	return parts_to_time(&d, out);
}

/* RFC 822 and its relatives, token by token: a weekday (ignored, even when
 * wrong), day, month name, year of 2 or 4 digits, clock time, zone; parts may
 * come in asctime() order and a missing time or zone means 00:00 UTC. */
static int parse_tokens(const char *p, const char *end, int64_t *out)
{
	struct date_parts d = { -1, 0, 0, 0, 0, 0, 0 };
	int have_time = 0, have_zone = 0, pm = 0, am = 0;
	int nums[4], nnum = 0;

	while (p < end) {
		char c = *p;

		if (c == '(') {
			/* RFC 822 comment: "+0000 (UTC)". */
			while (p < end && *p != ')')
				p++;
			if (p < end)
				p++;
		} else if (utf8_ascii_alpha(c)) {
			const char *w = p;
			size_t n;
			int m, z;

			while (p < end && (utf8_ascii_alpha(*p) || *p == '/'))
				p++;
			n = (size_t)(p - w);
			if (n >= 4 && strncasecmp(w, "etc/", 4) == 0) {
				w += 4;
				n -= 4;
			}
			m = month_name(w, n);
			if (n == 2 && (strncasecmp(w, "am", 2) == 0 || strncasecmp(w, "pm", 2) == 0)) {
				pm = utf8_ascii_lower(w[0]) == 'p';
				am = !pm;
			} else if (!have_zone && zone_name(w, n, &z) == 0 &&
				   (have_time || n > 1 || d.month)) {
				d.zone_min = z;
				have_zone = 1;
				/* "GMT+1", "UTC-05:00": an offset from the named zone. */
				if (p < end && (*p == '+' || *p == '-') && utf8_is_digit(p + 1 < end ? p[1] : 0) &&
				    numeric_zone(&p, end, &z) == 0)
					d.zone_min += z;
			} else if (m && !d.month) {
				d.month = m;
			} else if (!day_name(w, n) &&
				   !(n == 2 && (strncasecmp(w, "at", 2) == 0 || strncasecmp(w, "of", 2) == 0))) {
				/* A word we do not know is not a date. */
				return -EINVAL;
			}
		} else if (utf8_is_digit(c)) {
			size_t n = count_digits(p, end);

			if (p + n < end && p[n] == ':' && !have_time) {
				if (clock_time(&p, end, &d) < 0)
					return -EINVAL;
				have_time = 1;
				continue;
			}
			if (n > 4 || nnum == 4)
				return -EINVAL;
			if (n == 4 && d.year < 0) {
				d.year = digits(&p, end, 4);
				continue;
			}
			nums[nnum++] = digits(&p, end, (int)n);
			/* "1st", "2nd", "3rd", "4th" */
			if (end - p >= 2 && utf8_ascii_alpha(p[0]) && utf8_ascii_alpha(p[1]) &&
			    (p + 2 == end || !utf8_ascii_alpha(p[2]))) {
				char a = utf8_ascii_lower(p[0]), b = utf8_ascii_lower(p[1]);
				if ((a == 's' && b == 't') || (a == 'n' && b == 'd') ||
				    (a == 'r' && b == 'd') || (a == 't' && b == 'h'))
					p += 2;
			}
		} else if ((c == '+' || c == '-') && p + 1 < end && utf8_is_digit(p[1]) &&
			   (have_time || (d.month && d.year >= 0 && nnum >= 1)) && !have_zone) {
			if (numeric_zone(&p, end, &d.zone_min) < 0)
				return -EINVAL;
			have_zone = 1;
		} else {
			p++;
		}
	}
	if (!d.month || nnum == 0)
		return -EINVAL;
	d.day = nums[0];
	if (d.year < 0) {
		if (nnum < 2)
			return -EINVAL;
		d.year = nums[1];
		/* Two-digit years as the common feed readers read them:
		 * 90..99 are 1990s, everything else this century. */
		d.year += d.year < 90 ? 2000 : 1900;
	} else if (nnum > 1) {
		return -EINVAL;
	}
	if (pm && d.hour < 12)
		d.hour += 12;
	if (am && d.hour == 12)
		d.hour = 0;
	return parts_to_time(&d, out);
}

int date_parse(const char *s, size_t len, int64_t *utc_seconds)
{
	const char *p = s, *end = s + len;
	int64_t t;
	int rc;

	skip_space(&p, end);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (p == end)
		return -EINVAL;
	if (count_digits(p, end) >= 4 &&
	    (count_digits(p, end) == 8 || count_digits(p, end) == 14 ||
	     (count_digits(p, end) == 4 && (p + 4 == end || p[4] == '-' || p[4] == '/' || p[4] == 'T'))))
		rc = parse_iso(p, end, &t);
	else
		rc = parse_tokens(p, end, &t);
	if (rc < 0)
		return rc;
	*utc_seconds = t;
	return 0;
}

int date_format_rfc3339(int64_t t, char out[21])
{
	/* civil_from_days, the inverse of date_days_from_civil. */
	int64_t days, secs, z, era, doe, yoe, y, doy, mp;
	unsigned d, m;

	out[0] = '\0';
	if (t < -62135596800LL || t > 253402300799LL)
		return -ERANGE;
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	secs = t - days * 86400;
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	{
		int v[6] = { (int)y, (int)m, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60),
			     (int)(secs % 60) };
		static const char tmpl[] = "0000-00-00T00:00:00Z";
		static const unsigned char pos[6] = { 0, 5, 8, 11, 14, 17 };

		memcpy(out, tmpl, sizeof(tmpl));
		for (int i = 0; i < 6; i++) {
			int w = i == 0 ? 4 : 2, x = v[i];
			for (int k = w - 1; k >= 0; k--) {
				out[pos[i] + k] = (char)('0' + x % 10);
				x /= 10;
			}
		}
	}
	return 0;
}
