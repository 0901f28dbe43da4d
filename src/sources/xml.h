/* SPDX-License-Identifier: MIT */
/* A tolerant, streaming XML tokenizer over a caller buffer: tags with
 * attributes and resolved namespaces, text, CDATA, comments, PIs, DOCTYPE.
 * Fixed memory, no allocation, no entity expansion beyond character refs. */
#ifndef DIGESTD_XML_H
#define DIGESTD_XML_H

#include <stddef.h>

#include "core/limits.h"

/* Namespaces a feed reader cares about; everything else is XML_NS_OTHER. */
enum xml_ns {
	XML_NS_NONE, /* no namespace (unprefixed, no default declared) */
	XML_NS_OTHER,
	XML_NS_ATOM,	/* http://www.w3.org/2005/Atom */
	XML_NS_ATOM03,	/* http://purl.org/atom/ns# */
	XML_NS_RDF,	/* RDF syntax */
	XML_NS_RSS10,	/* http://purl.org/rss/1.0/ */
	XML_NS_RSS090,	/* Netscape's RSS 0.90 */
	XML_NS_CONTENT, /* RSS content module */
	XML_NS_DC,	/* Dublin Core elements */
	XML_NS_DCTERMS, /* Dublin Core terms */
	XML_NS_MEDIA,	/* Media RSS */
	XML_NS_ITUNES,
	XML_NS_FEEDBURNER, /* FeedBurner's extension (origLink) */
	XML_NS_XHTML,
	XML_NS_XML, /* the xml: prefix (xml:base, xml:lang) */
	XML_NS_XMLNS,
};

enum xml_type {
	XML_EOF,
	XML_START, /* also for <empty/>: then `empty` is set and an END follows */
	XML_END,   /* one per START, synthesised for unclosed elements */
	XML_TEXT,  /* raw bytes: decode with xml_out_text() */
	XML_CDATA, /* raw bytes, no decoding */
	XML_COMMENT,
	XML_PI,
	XML_DOCTYPE,
};

struct xml_attr {
	char name[XML_NAME_BYTES]; /* as written, cut to fit */
	unsigned char local;	   /* offset of the local part in name */
	enum xml_ns ns;
	const char *val; /* raw value in the buffer, entities not decoded */
	size_t val_len;
};

struct xml_token {
	enum xml_type type;
	int empty;
	char name[XML_NAME_BYTES]; /* START/END: qualified name as written */
	unsigned char local;
	enum xml_ns ns;
	unsigned depth; /* START/END: 1 for the root element */
	struct xml_attr attr[XML_MAX_ATTRS];
	unsigned nattr;
	const char *text; /* TEXT, CDATA, COMMENT, PI: contents */
	size_t text_len;
	const char *start, *end; /* the token's bytes; equal for a synthesised END */
};

struct xml_frame {
	char name[XML_NAME_BYTES];
	unsigned ndecl;
	enum xml_ns default_ns;
};

struct xml_decl {
	char prefix[XML_PREFIX_BYTES];
	enum xml_ns ns;
};

/* Reader state: about 6 KiB, owned by the caller, nothing else allocated. */
struct xml_reader {
	const char *p, *end;
	struct xml_frame stack[XML_MAX_DEPTH];
	unsigned depth, overflow;
	struct xml_decl decl[XML_MAX_NSDECL];
	unsigned ndecl;
	enum xml_ns default_ns;
	unsigned close_to;  /* pop frames down to this depth, emitting ENDs */
	int pop_empty;	    /* the last START was <empty/>: END comes next */
	const char *mark;   /* where synthesised ENDs are placed */
	unsigned errors;    /* malformations met so far (for one warning) */
};

/* Starts reading buf[0..len); the buffer must outlive the reader. */
void xml_init(struct xml_reader *r, const char *buf, size_t len);

/* Reads the next token into t. Never fails: malformed markup is read as
 * text or skipped, unclosed elements are closed at the end. Returns t->type;
 * XML_EOF at the end. Every call consumes input or closes an element, so a
 * loop until XML_EOF terminates. */
enum xml_type xml_next(struct xml_reader *r, struct xml_token *t);

/* Finds an attribute by namespace and local name; NULL when absent. */
const struct xml_attr *xml_attr_find(const struct xml_token *t, enum xml_ns ns,
				     const char *local);

/* Bounded UTF-8 output: always NUL-terminated, never splits a character,
 * sets `full` instead of overflowing. */
struct xml_out {
	char *buf;
	size_t size, len;
	int full;
};

void xml_out_init(struct xml_out *o, char *buf, size_t size);
/* Appends s[0..n) with character references decoded and invalid UTF-8
 * replaced by U+FFFD; NUL bytes are dropped. */
void xml_out_text(struct xml_out *o, const char *s, size_t n);
/* Appends s[0..n) as is, except invalid UTF-8 and NUL as above. */
void xml_out_raw(struct xml_out *o, const char *s, size_t n);

#endif
