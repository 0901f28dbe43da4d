/* SPDX-License-Identifier: MIT */
/* Printing the configuration: the effective config as an ini file that
 * loads back to the same struct, and the key reference for docs/config.md.
 * Secrets appear only as the path they are read from. */
#include "cfg.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/cfg_check.h"
#include "core/cfg_key.h"
#include "core/cfg_value.h"

static void dump_line(FILE *f, const char *prefix, const char *name, const char *value)
{
	fprintf(f, "%s%s =%s%s", prefix, name, *value ? " " : "", value);
}

/* owner: whose rules the section's keep and drop lines are (struct
 * cfg_rule), or UINT_MAX for none. */
static void dump_section(const struct cfg *c, FILE *f, unsigned sec, const void *base,
			 const char *prefix, unsigned owner)
{
	char value[CFG_URL_BYTES + 64], path[CFG_PATH_BYTES];

	for (size_t i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const void *field = (const char *)base + k->offset;

		if (k->sec != sec)
			continue;
		/* An endpoint's dump has the keys of its kind: another's would
		 * not load back. Its defaults (prefix "; ") show every key. */
		if (sec == CFG_SEC_endpoint && !*prefix &&
		    !cfg_kind_takes(i, ((const struct cfg_endpoint *)base)->kind))
			continue;
		if (k->type == CFG_T_HEADER) {
			const struct cfg_headers *h = field;

			if (!h->n)
				fprintf(f, "%s%s =\n", prefix, k->name);
			for (unsigned j = 0; j < h->n; j++)
				fprintf(f, "%s%s = %s\n", prefix, k->name, h->line[j]);
			continue;
		}
		if (k->type == CFG_T_RULE) {
			bool drop = strcmp(k->name, "drop") == 0;

			if (!*(const unsigned *)field)
				fprintf(f, "%s%s =\n", prefix, k->name);
			for (unsigned j = 0; j < c->rules.n; j++)
				if (c->rules.r[j].owner == owner && c->rules.r[j].drop == drop)
					fprintf(f, "%s%s = %s\n", prefix, k->name, c->rules.r[j].text);
			continue;
		}
		cfg_value_format(k, field, value, sizeof(value));
		/* What the included files set is in this dump already: read
		 * again, they would define everything twice. */
		if (k == &cfg_keys[CFG_KEY_daemon_include] && *value) {
			dump_line(f, "; ", k->name, value);
			fputs(" ; read: its files' settings are in this dump\n", f);
			continue;
		}
		dump_line(f, prefix, k->name, value);
		if (k->type == CFG_T_SECRET && *value) {
			int credential;

			if (cfg_secret_resolve(c->base_dir, value, path, sizeof(path),
					       &credential) < 0)
				fputs(" ; path too long", f);
			else
				fprintf(f, " ; read from %s%s", path,
					credential ? " (systemd credential)" : "");
		}
		fputc('\n', f);
	}
}

void cfg_dump(const struct cfg *c, FILE *f)
{
	struct cfg_source defaults;
	struct cfg_endpoint endpoint;
	uint64_t bound, bodies;

	/* The bound check-config enforced, for the reader and tools/bench-memory.py. */
	bound = cfg_memory_bound(c, c->daemon.max_transfers, &bodies);
	fprintf(f, "; memory bound: %llu MiB (%llu MiB of transfer bodies) of the unit's "
		   "MemoryMax=%uM (docs/daemon.md, Memory)\n",
		(unsigned long long)((bound + (1u << 20) - 1) >> 20),
		(unsigned long long)(bodies >> 20), RUN_MEMORY_MAX_BYTES >> 20);
	fputs("[daemon]\n", f);
	dump_section(c, f, CFG_SEC_daemon, &c->daemon, "", UINT_MAX);
	fputs("\n[http]\n", f);
	dump_section(c, f, CFG_SEC_http, &c->http, "", UINT_MAX);
	if (!c->n_sources) {
		fputs("\n; no [source NAME] section; a source's defaults are:\n", f);
		cfg_source_defaults(&defaults, c->base_dir);
		dump_section(c, f, CFG_SEC_source, &defaults, "; ", UINT_MAX);
	}
	for (unsigned i = 0; i < c->n_sources; i++) {
		fprintf(f, "\n[source %s]\n", c->sources[i].name);
		dump_section(c, f, CFG_SEC_source, &c->sources[i], "", 1 + i);
	}
	fputs("\n[digest]\n", f);
	dump_section(c, f, CFG_SEC_digest, &c->digest, "", 0);
	for (unsigned i = 0; i < c->n_endpoints; i++) {
		char label[CFG_SOURCE_NAME_BYTES + 16];

		cfg_endpoint_label(c->endpoints[i].name, label, sizeof(label));
		fprintf(f, "\n%s\n", label);
		dump_section(c, f, CFG_SEC_endpoint, &c->endpoints[i], "", UINT_MAX);
	}
	if (!c->n_endpoints) {
		fputs("\n; no [endpoint] section: digests are not pushed; its defaults are:\n", f);
		cfg_endpoint_defaults(&endpoint, c->base_dir);
		dump_section(c, f, CFG_SEC_endpoint, &endpoint, "; ", UINT_MAX);
	}
}

static void describe_type(const struct cfg_key *k, char *type, size_t tsz, char *range, size_t rsz)
{
	char lo[32], hi[32];

	range[0] = '\0';
	switch (k->type) {
	case CFG_T_PATH:
		snprintf(type, tsz, "path");
		break;
	case CFG_T_SECRET:
		snprintf(type, tsz, "secret file");
		snprintf(range, rsz, "path, or credential name");
		break;
	case CFG_T_URL:
		snprintf(type, tsz, "URL");
		cfg_url_expected(k->schemes, range, rsz);
		break;
	case CFG_T_BOOL:
		snprintf(type, tsz, "yes/no");
		break;
	case CFG_T_UINT:
		snprintf(type, tsz, "number");
		snprintf(range, rsz, "%llu to %llu", k->min, k->max);
		break;
	case CFG_T_DURATION:
	case CFG_T_SCHEDULE:
		cfg_fmt_duration(k->min, lo, sizeof(lo));
		cfg_fmt_duration(k->max, hi, sizeof(hi));
		snprintf(type, tsz, k->type == CFG_T_DURATION ? "duration" : "schedule");
		snprintf(range, rsz, k->type == CFG_T_DURATION ? "%s to %s"
							   : "%s to %s, or up to 24 times HH:MM",
			 lo, hi);
		break;
	case CFG_T_SIZE:
		cfg_fmt_size(k->min, lo, sizeof(lo));
		cfg_fmt_size(k->max, hi, sizeof(hi));
		snprintf(type, tsz, "size");
		snprintf(range, rsz, "%s to %s", lo, hi);
		break;
	case CFG_T_LOGLEVEL:
		snprintf(type, tsz, "log level");
		snprintf(range, rsz, "err, warn, info, debug");
		break;
	case CFG_T_ENUM:
		snprintf(type, tsz, "word");
		cfg_enum_list(k->values, range, rsz);
		break;
	case CFG_T_LANG:
		snprintf(type, tsz, "language");
		snprintf(range, rsz, "auto or a code");
		break;
	case CFG_T_PIN:
		snprintf(type, tsz, "key pins");
		snprintf(range, rsz, "sha256//BASE64, ';'-separated");
		break;
	case CFG_T_RULE:
		snprintf(type, tsz, "rule");
		snprintf(range, rsz, "`FIELD: words` or `FIELD ~ regex`, repeatable, at most %u "
				     "in all (docs/rules.md)", CFG_MAX_RULES);
		break;
	case CFG_T_TEXT:
		snprintf(type, tsz, "text");
		snprintf(range, rsz, "UTF-8, up to %llu bytes", k->max - 1);
		break;
	case CFG_T_ADDRESS:
		snprintf(type, tsz, "address");
		snprintf(range, rsz, "a@example.org or Name <a@example.org>");
		break;
	case CFG_T_ADDRLIST:
		snprintf(type, tsz, "addresses");
		snprintf(range, rsz, "comma-separated, at most %u", CFG_MAX_RECIPIENTS);
		break;
	default: /* CFG_T_HEADER */
		snprintf(type, tsz, "header");
		snprintf(range, rsz, "Name: value, repeatable, at most %u", CFG_MAX_HEADERS);
		break;
	}
}

void cfg_dump_keys(FILE *f)
{
	char type[32], range[160], def[64];

	for (unsigned sec = 0; sec < CFG_SEC_COUNT; sec++) {
		fprintf(f, "%s### [%s%s]\n\n", sec ? "\n" : "", cfg_sec_names[sec],
			sec == CFG_SEC_source     ? " NAME"
			: sec == CFG_SEC_endpoint ? "] or [endpoint NAME"
						  : "");
		fputs("| Key | Type | Default | Allowed | Meaning |\n", f);
		fputs("| --- | --- | --- | --- | --- |\n", f);
		for (size_t i = 0; i < CFG_N_KEYS; i++) {
			const struct cfg_key *k = &cfg_keys[i];

			if (k->sec != sec)
				continue;
			describe_type(k, type, sizeof(type), range, sizeof(range));
			if (!k->def)
				snprintf(def, sizeof(def), "required");
			else if (!*k->def)
				snprintf(def, sizeof(def), "unset");
			else
				snprintf(def, sizeof(def), "`%s`", k->def);
			fprintf(f, "| `%s` | %s | %s | %s | %s |\n", k->name, type, def, range,
				k->doc);
		}
	}
}
