/* SPDX-License-Identifier: MIT */
/* `digestd summarize`: the command-line face of the summariser. */
#ifndef DIGESTD_CMD_SUMMARIZE_H
#define DIGESTD_CMD_SUMMARIZE_H

#include "core/article.h"
#include "summarise/summ.h"

/* Runs the command; returns a sysexits status (0, EX_USAGE, EX_NOINPUT). */
int cmd_summarize(int argc, char **argv);

/* summ_end for a seed-format file fed whole into s: reads its header (Title:,
 * URL:, Date:, Lang: lines and a blank line) from the window into h, then
 * summarises the rest with o, the header skipped, its title weighing terms
 * and its Lang: setting the language unless o->lang does. Returns summ_end's
 * 0. The fuzz target fuzz_summ takes this path too. */
int summarize_seed_end(struct summ *s, const struct summ_opts *o, struct article_header *h,
		       struct summ_result *r);

#endif
