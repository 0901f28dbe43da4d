/* SPDX-License-Identifier: MIT */
/* [daemon] metrics_file: the daemon's counters in the Prometheus text
 * exposition format, for node_exporter's textfile collector. Formats into
 * a fixed buffer and replaces the file atomically; keeps no state. */
#ifndef DIGESTD_METRICS_H
#define DIGESTD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/daemon.h"

/* Writes the metrics of d at Unix second now into out[0..cap): HELP and
 * TYPE lines, then the samples (docs/status.md names them), label values
 * escaped (\\, \", \n). Returns the length, or -ENOSPC when cap is too
 * small. Pure. */
long metrics_format(const struct daemon *d, int64_t now, char *out, size_t cap);

/* When [daemon] metrics_file is set: formats into d->metrics and replaces
 * the file (mode 0644, for node_exporter) through a temporary file
 * ".NAME.tmp" in its folder (fsync, rename, fsync of the folder). Returns 0 (also when no
 * file is configured) or a negative errno; a failure is one warning, said
 * again only after a write succeeded (d->metrics_failed). Blocks on the
 * disk. */
int metrics_write(struct daemon *d, int64_t now);

#endif
