/* SPDX-License-Identifier: MIT */
/* The rules across keys and sections, checked once when a file is loaded;
 * what passes them is trusted after. Used by cfg.c only. */
#ifndef DIGESTD_CFG_CHECK_H
#define DIGESTD_CFG_CHECK_H

#include "core/cfg_key.h"

/* Checks the whole file ps read, reporting each broken rule with cfg_fail:
 * required keys, a <= b orders, source types, the endpoint rules, the
 * memory bound of limits.h against the unit's MemoryMax and, with
 * CFG_RUN, what `digestd run` needs (a source, an endpoint, secret files
 * that open safely; opened and closed, never read). Blocks only on opening
 * the secret files. */
void cfg_check(struct cfg_parse *ps);

/* Does an endpoint of kind (enum cfg_kind) use key (a CFG_KEY_ index of
 * [endpoint])? Every kind uses the TLS, timeout and retry keys. */
bool cfg_kind_takes(unsigned key, unsigned kind);

#endif
