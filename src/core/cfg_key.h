/* SPDX-License-Identifier: MIT */
/* What the cfg*.c files share and nothing else includes: the key table that
 * cfg.def makes (cfg.c owns it), the loader's scratch and its error list. */
#ifndef DIGESTD_CFG_KEY_H
#define DIGESTD_CFG_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/cfg.h"

/* A key's type: cfg.def's third column (cfg.h says what each means). */
enum cfg_type {
	CFG_T_PATH, CFG_T_SECRET, CFG_T_URL, CFG_T_BOOL, CFG_T_UINT, CFG_T_DURATION, CFG_T_SIZE,
	CFG_T_SCHEDULE, CFG_T_LOGLEVEL, CFG_T_ENUM, CFG_T_LANG, CFG_T_PIN, CFG_T_HEADER, CFG_T_RULE,
	CFG_T_TEXT, CFG_T_ADDRESS, CFG_T_ADDRLIST
};
enum cfg_sec {
	CFG_SEC_daemon, CFG_SEC_http, CFG_SEC_source, CFG_SEC_digest, CFG_SEC_endpoint,
	CFG_SEC_COUNT
};

/* One line of cfg.def. values: an ENUM's words, '|'-separated. */
struct cfg_key {
	const char *section, *name, *def, *values, *doc;
	unsigned long long min, max;
	size_t offset, size;
	unsigned schemes;
	unsigned char sec, type;
};

/* Every key's index in cfg_keys, CFG_KEY_section_key, in cfg.def's order. */
#define CFG(sec_, key_, ...) CFG_KEY_##sec_##_##key_,
enum {
#include "core/cfg.def"
	CFG_N_KEYS
};
#undef CFG

extern const struct cfg_key cfg_keys[CFG_N_KEYS];
extern const char *const cfg_sec_names[CFG_SEC_COUNT];

/* The key called name in section sec, or NULL. */
const struct cfg_key *cfg_key_named(unsigned sec, const char *name);

/* Where section sec's fields are in c (src: which source or endpoint). */
void *cfg_section(struct cfg *c, unsigned sec, unsigned src);

/* The row of struct cfg_parse's key_line and bad that section sec's keys
 * use: 0 for the single sections, then one per endpoint, then one per
 * source (src: which endpoint or source). */
unsigned cfg_slot(unsigned sec, unsigned src);

/* A source's defaults, relative paths against base_dir. */
void cfg_source_defaults(struct cfg_source *s, const char *base_dir);

/* An endpoint's defaults (name ""), relative paths against base_dir. */
void cfg_endpoint_defaults(struct cfg_endpoint *e, const char *base_dir);

/* ps->sec before the first section, and in one whose header was refused
 * (its keys are skipped: they would only repeat that error). */
#define CFG_SEC_NONE (-1)
#define CFG_SEC_SKIP (-2)

/* The loader's scratch: the config being built plus where each thing was
 * set, so that messages can name lines. Static in cfg.c: see CFG_* in
 * limits.h. The per-source tables and cfg come last: a load zeroes what
 * lies before src_line, and a source's entries as it is entered, so a file
 * touches only the pages its sources use. */
struct cfg_parse {
	const char *name;
	unsigned flags;
	struct cfg_error *err;
	int failed;  /* 0, -EINVAL, or -errno of a read error */
	bool stop;   /* the file cannot be read on: no more lines */
	unsigned errors; /* found, including those past err's room */
	FILE *f;
	const char *p, *end;
	unsigned line; /* a place: (file << CFG_PLACE_SHIFT) | line */
	size_t total;
	/* include: the file being read (0: the main one, i: inc_name[i - 1]),
	 * the folder relative values in it resolve against, and the pattern
	 * as written, which names included files in messages. */
	unsigned file;
	const char *dir;
	unsigned n_inc;
	char inc_raw[CFG_PATH_BYTES];
	char inc_dir[CFG_PATH_BYTES];
	char inc_name[CFG_MAX_INCLUDES][CFG_PATH_BYTES];
	int sec; /* enum cfg_sec of the current section, or CFG_SEC_NONE, _SKIP */
	unsigned src; /* the current [source NAME] or [endpoint NAME]'s index */
	bool refused_section; /* some section header was refused */
	bool key_pending;     /* inih has a key line that on_key has not had */
	unsigned sec_line[CFG_SEC_COUNT];
	/* A section with a line that could not be read (or an unknown key, maybe
	 * a required one mistyped) is not said to lack a required key. */
	bool damaged_sec[CFG_SEC_COUNT];
	/* A field's value before a refused line, put back so that later checks
	 * see a well-formed config. Any field fits: it is part of one of these. */
	union {
		struct cfg_daemon daemon;
		struct cfg_http http;
		struct cfg_source source;
		struct cfg_digest digest;
		struct cfg_endpoint endpoint;
	} undo;
	/* Where each endpoint's header is, and whether it is damaged. */
	unsigned ep_line[CFG_MAX_ENDPOINTS];
	bool damaged_ep[CFG_MAX_ENDPOINTS];
	unsigned src_line[CFG_MAX_SOURCES];
	bool damaged_src[CFG_MAX_SOURCES];
	/* Rows by cfg_slot: the single sections, the endpoints, the sources. */
	unsigned key_line[1 + CFG_MAX_ENDPOINTS + CFG_MAX_SOURCES][CFG_N_KEYS];
	/* A value that was refused: checks across keys leave it alone, so that
	 * one mistake is reported once. */
	bool bad[1 + CFG_MAX_ENDPOINTS + CFG_MAX_SOURCES][CFG_N_KEYS];
	struct cfg cfg;
};

/* Records one error at a place (a line of ps->line's form; line 0: none
 * applies) and goes on: the user gets every mistake in one go. */
void cfg_fail(struct cfg_parse *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A place as "FILE:LINE" (or "line N" in the file being read), for
 * messages that point at a second place. */
void cfg_place(const struct cfg_parse *ps, unsigned place, char *out, size_t size);

/* "[daemon]", "[source NAME]", "[endpoint]" or "[endpoint NAME]", for
 * messages. */
void cfg_label(const struct cfg_parse *ps, unsigned sec, unsigned src, char *out, size_t size);

#endif
