/* SPDX-License-Identifier: MIT */
/* Character reference decoding: numeric references with the HTML5 fix-ups
 * and a sorted name table searched by bisection. Reads at most a few dozen
 * bytes past p and never beyond end. */
#include "entity.h"

#include <string.h>

#include "core/charset.h"
#include "core/utf8.h"

struct named_ref {
	const char *name;
	uint32_t cp1, cp2; /* cp2 == 0: a single code point */
	unsigned char legacy; /* may appear without ';' (HTML5 legacy list) */
};

/* Sorted by strcmp (byte order) for bsearch-style lookup. Generated from the
 * HTML5 entity list; code points checked against it. */
static const struct named_ref named_refs[] = {
	{"AElig", 0x00C6, 0, 1},
	{"AMP", 0x0026, 0, 1},
	{"Aacute", 0x00C1, 0, 1},
	{"Acirc", 0x00C2, 0, 1},
	{"Agrave", 0x00C0, 0, 1},
	{"Alpha", 0x0391, 0, 0},
	{"Aring", 0x00C5, 0, 1},
	{"Atilde", 0x00C3, 0, 1},
	{"Auml", 0x00C4, 0, 1},
	{"Beta", 0x0392, 0, 0},
	{"COPY", 0x00A9, 0, 1},
	{"Ccedil", 0x00C7, 0, 1},
	{"CenterDot", 0x00B7, 0, 0},
	{"Chi", 0x03A7, 0, 0},
	{"Dagger", 0x2021, 0, 0},
	{"Delta", 0x0394, 0, 0},
	{"DownArrow", 0x2193, 0, 0},
	{"ETH", 0x00D0, 0, 1},
	{"Eacute", 0x00C9, 0, 1},
	{"Ecirc", 0x00CA, 0, 1},
	{"Egrave", 0x00C8, 0, 1},
	{"Epsilon", 0x0395, 0, 0},
	{"Eta", 0x0397, 0, 0},
	{"Euml", 0x00CB, 0, 1},
	{"GT", 0x003E, 0, 1},
	{"Gamma", 0x0393, 0, 0},
	{"Hat", 0x005E, 0, 0},
	{"Iacute", 0x00CD, 0, 1},
	{"Icirc", 0x00CE, 0, 1},
	{"Igrave", 0x00CC, 0, 1},
	{"Iota", 0x0399, 0, 0},
	{"Iuml", 0x00CF, 0, 1},
	{"Kappa", 0x039A, 0, 0},
	{"LT", 0x003C, 0, 1},
	{"Lambda", 0x039B, 0, 0},
	{"LeftArrow", 0x2190, 0, 0},
	{"Leftarrow", 0x21D0, 0, 0},
	{"Leftrightarrow", 0x21D4, 0, 0},
	{"MediumSpace", 0x205F, 0, 0},
	{"Mu", 0x039C, 0, 0},
	{"NewLine", 0x000A, 0, 0},
	{"NoBreak", 0x2060, 0, 0},
	{"NonBreakingSpace", 0x00A0, 0, 0},
	{"Ntilde", 0x00D1, 0, 1},
	{"Nu", 0x039D, 0, 0},
	{"OElig", 0x0152, 0, 0},
	{"Oacute", 0x00D3, 0, 1},
	{"Ocirc", 0x00D4, 0, 1},
	{"Ograve", 0x00D2, 0, 1},
	{"Omega", 0x03A9, 0, 0},
	{"Omicron", 0x039F, 0, 0},
	{"Oslash", 0x00D8, 0, 1},
	{"Otilde", 0x00D5, 0, 1},
	{"Ouml", 0x00D6, 0, 1},
	{"Phi", 0x03A6, 0, 0},
	{"Pi", 0x03A0, 0, 0},
	{"PlusMinus", 0x00B1, 0, 0},
	{"Prime", 0x2033, 0, 0},
	{"Psi", 0x03A8, 0, 0},
	{"QUOT", 0x0022, 0, 1},
	{"REG", 0x00AE, 0, 1},
	{"Rho", 0x03A1, 0, 0},
	{"RightArrow", 0x2192, 0, 0},
	{"Rightarrow", 0x21D2, 0, 0},
	{"Scaron", 0x0160, 0, 0},
	{"Sigma", 0x03A3, 0, 0},
	{"THORN", 0x00DE, 0, 1},
	{"TRADE", 0x2122, 0, 0},
	{"Tab", 0x0009, 0, 0},
	{"Tau", 0x03A4, 0, 0},
	{"Theta", 0x0398, 0, 0},
	{"ThickSpace", 0x205F, 0x200A, 0},
	{"ThinSpace", 0x2009, 0, 0},
	{"Uacute", 0x00DA, 0, 1},
	{"Ucirc", 0x00DB, 0, 1},
	{"Ugrave", 0x00D9, 0, 1},
	{"UpArrow", 0x2191, 0, 0},
	{"Upsilon", 0x03A5, 0, 0},
	{"Uuml", 0x00DC, 0, 1},
	{"VeryThinSpace", 0x200A, 0, 0},
	{"Xi", 0x039E, 0, 0},
	{"Yacute", 0x00DD, 0, 1},
	{"Yuml", 0x0178, 0, 0},
	{"ZeroWidthSpace", 0x200B, 0, 0},
	{"Zeta", 0x0396, 0, 0},
	{"aacute", 0x00E1, 0, 1},
	{"acirc", 0x00E2, 0, 1},
	{"acute", 0x00B4, 0, 1},
	{"aelig", 0x00E6, 0, 1},
	{"agrave", 0x00E0, 0, 1},
	{"alefsym", 0x2135, 0, 0},
	{"alpha", 0x03B1, 0, 0},
	{"amp", 0x0026, 0, 1},
	{"and", 0x2227, 0, 0},
	{"ang", 0x2220, 0, 0},
	{"angst", 0x00C5, 0, 0},
	{"apos", 0x0027, 0, 0},
	{"approx", 0x2248, 0, 0},
	{"aring", 0x00E5, 0, 1},
	{"ast", 0x002A, 0, 0},
	{"asymp", 0x2248, 0, 0},
	{"atilde", 0x00E3, 0, 1},
	{"auml", 0x00E4, 0, 1},
	{"backprime", 0x2035, 0, 0},
	{"bdquo", 0x201E, 0, 0},
	{"beta", 0x03B2, 0, 0},
	{"bigstar", 0x2605, 0, 0},
	{"blacklozenge", 0x29EB, 0, 0},
	{"blacksquare", 0x25AA, 0, 0},
	{"blacktriangleright", 0x25B8, 0, 0},
	{"bne", 0x003D, 0x20E5, 0},
	{"boxh", 0x2500, 0, 0},
	{"boxv", 0x2502, 0, 0},
	{"bprime", 0x2035, 0, 0},
	{"brvbar", 0x00A6, 0, 1},
	{"bsol", 0x005C, 0, 0},
	{"bull", 0x2022, 0, 0},
	{"bullet", 0x2022, 0, 0},
	{"cap", 0x2229, 0, 0},
	{"caret", 0x2041, 0, 0},
	{"ccedil", 0x00E7, 0, 1},
	{"cedil", 0x00B8, 0, 1},
	{"cent", 0x00A2, 0, 1},
	{"centerdot", 0x00B7, 0, 0},
	{"check", 0x2713, 0, 0},
	{"checkmark", 0x2713, 0, 0},
	{"chi", 0x03C7, 0, 0},
	{"cir", 0x25CB, 0, 0},
	{"circ", 0x02C6, 0, 0},
	{"clubs", 0x2663, 0, 0},
	{"colon", 0x003A, 0, 0},
	{"comma", 0x002C, 0, 0},
	{"commat", 0x0040, 0, 0},
	{"compfn", 0x2218, 0, 0},
	{"cong", 0x2245, 0, 0},
	{"copy", 0x00A9, 0, 1},
	{"copysr", 0x2117, 0, 0},
	{"crarr", 0x21B5, 0, 0},
	{"cross", 0x2717, 0, 0},
	{"cup", 0x222A, 0, 0},
	{"curren", 0x00A4, 0, 1},
	{"dArr", 0x21D3, 0, 0},
	{"dagger", 0x2020, 0, 0},
	{"darr", 0x2193, 0, 0},
	{"dash", 0x2010, 0, 0},
	{"deg", 0x00B0, 0, 1},
	{"delta", 0x03B4, 0, 0},
	{"diams", 0x2666, 0, 0},
	{"div", 0x00F7, 0, 0},
	{"divide", 0x00F7, 0, 1},
	{"dollar", 0x0024, 0, 0},
	{"downarrow", 0x2193, 0, 0},
	{"dtrif", 0x25BE, 0, 0},
	{"eacute", 0x00E9, 0, 1},
	{"ecirc", 0x00EA, 0, 1},
	{"egrave", 0x00E8, 0, 1},
	{"ell", 0x2113, 0, 0},
	{"empty", 0x2205, 0, 0},
	{"emsp", 0x2003, 0, 0},
	{"emsp13", 0x2004, 0, 0},
	{"emsp14", 0x2005, 0, 0},
	{"ensp", 0x2002, 0, 0},
	{"epsilon", 0x03B5, 0, 0},
	{"equals", 0x003D, 0, 0},
	{"equiv", 0x2261, 0, 0},
	{"eta", 0x03B7, 0, 0},
	{"eth", 0x00F0, 0, 1},
	{"euml", 0x00EB, 0, 1},
	{"euro", 0x20AC, 0, 0},
	{"excl", 0x0021, 0, 0},
	{"exist", 0x2203, 0, 0},
	{"female", 0x2640, 0, 0},
	{"fjlig", 0x0066, 0x006A, 0},
	{"flat", 0x266D, 0, 0},
	{"fnof", 0x0192, 0, 0},
	{"forall", 0x2200, 0, 0},
	{"frac12", 0x00BD, 0, 1},
	{"frac13", 0x2153, 0, 0},
	{"frac14", 0x00BC, 0, 1},
	{"frac15", 0x2155, 0, 0},
	{"frac16", 0x2159, 0, 0},
	{"frac18", 0x215B, 0, 0},
	{"frac23", 0x2154, 0, 0},
	{"frac25", 0x2156, 0, 0},
	{"frac34", 0x00BE, 0, 1},
	{"frac35", 0x2157, 0, 0},
	{"frac38", 0x215C, 0, 0},
	{"frac45", 0x2158, 0, 0},
	{"frac56", 0x215A, 0, 0},
	{"frac58", 0x215D, 0, 0},
	{"frac78", 0x215E, 0, 0},
	{"frasl", 0x2044, 0, 0},
	{"gamma", 0x03B3, 0, 0},
	{"ge", 0x2265, 0, 0},
	{"geq", 0x2265, 0, 0},
	{"grave", 0x0060, 0, 0},
	{"gsim", 0x2273, 0, 0},
	{"gt", 0x003E, 0, 1},
	{"hArr", 0x21D4, 0, 0},
	{"hairsp", 0x200A, 0, 0},
	{"half", 0x00BD, 0, 0},
	{"harr", 0x2194, 0, 0},
	{"hearts", 0x2665, 0, 0},
	{"hellip", 0x2026, 0, 0},
	{"hookleftarrow", 0x21A9, 0, 0},
	{"hookrightarrow", 0x21AA, 0, 0},
	{"horbar", 0x2015, 0, 0},
	{"hyphen", 0x2010, 0, 0},
	{"iacute", 0x00ED, 0, 1},
	{"icirc", 0x00EE, 0, 1},
	{"iexcl", 0x00A1, 0, 1},
	{"igrave", 0x00EC, 0, 1},
	{"image", 0x2111, 0, 0},
	{"incare", 0x2105, 0, 0},
	{"infin", 0x221E, 0, 0},
	{"int", 0x222B, 0, 0},
	{"iota", 0x03B9, 0, 0},
	{"iquest", 0x00BF, 0, 1},
	{"isin", 0x2208, 0, 0},
	{"iuml", 0x00EF, 0, 1},
	{"kappa", 0x03BA, 0, 0},
	{"lArr", 0x21D0, 0, 0},
	{"lambda", 0x03BB, 0, 0},
	{"lang", 0x27E8, 0, 0},
	{"laquo", 0x00AB, 0, 1},
	{"larr", 0x2190, 0, 0},
	{"larrhk", 0x21A9, 0, 0},
	{"lbrace", 0x007B, 0, 0},
	{"lbrack", 0x005B, 0, 0},
	{"lceil", 0x2308, 0, 0},
	{"lcub", 0x007B, 0, 0},
	{"ldquo", 0x201C, 0, 0},
	{"ldquor", 0x201E, 0, 0},
	{"le", 0x2264, 0, 0},
	{"leftarrow", 0x2190, 0, 0},
	{"leftrightarrow", 0x2194, 0, 0},
	{"leq", 0x2264, 0, 0},
	{"lfloor", 0x230A, 0, 0},
	{"lowast", 0x2217, 0, 0},
	{"lowbar", 0x005F, 0, 0},
	{"loz", 0x25CA, 0, 0},
	{"lozenge", 0x25CA, 0, 0},
	{"lpar", 0x0028, 0, 0},
	{"lrarr", 0x21C6, 0, 0},
	{"lrm", 0x200E, 0, 0},
	{"lsaquo", 0x2039, 0, 0},
	{"lsim", 0x2272, 0, 0},
	{"lsqb", 0x005B, 0, 0},
	{"lsquo", 0x2018, 0, 0},
	{"lsquor", 0x201A, 0, 0},
	{"lt", 0x003C, 0, 1},
	{"ltrif", 0x25C2, 0, 0},
	{"macr", 0x00AF, 0, 1},
	{"male", 0x2642, 0, 0},
	{"map", 0x21A6, 0, 0},
	{"mapsto", 0x21A6, 0, 0},
	{"mdash", 0x2014, 0, 0},
	{"micro", 0x00B5, 0, 1},
	{"middot", 0x00B7, 0, 1},
	{"minus", 0x2212, 0, 0},
	{"mldr", 0x2026, 0, 0},
	{"mu", 0x03BC, 0, 0},
	{"nabla", 0x2207, 0, 0},
	{"natural", 0x266E, 0, 0},
	{"nbsp", 0x00A0, 0, 1},
	{"ndash", 0x2013, 0, 0},
	{"ne", 0x2260, 0, 0},
	{"nexist", 0x2204, 0, 0},
	{"nge", 0x2271, 0, 0},
	{"ni", 0x220B, 0, 0},
	{"nldr", 0x2025, 0, 0},
	{"nle", 0x2270, 0, 0},
	{"not", 0x00AC, 0, 1},
	{"notin", 0x2209, 0, 0},
	{"nsub", 0x2284, 0, 0},
	{"nsube", 0x2288, 0, 0},
	{"nsup", 0x2285, 0, 0},
	{"nsupe", 0x2289, 0, 0},
	{"ntilde", 0x00F1, 0, 1},
	{"nu", 0x03BD, 0, 0},
	{"num", 0x0023, 0, 0},
	{"numero", 0x2116, 0, 0},
	{"numsp", 0x2007, 0, 0},
	{"nvgt", 0x003E, 0x20D2, 0},
	{"nvlt", 0x003C, 0x20D2, 0},
	{"oacute", 0x00F3, 0, 1},
	{"ocir", 0x229A, 0, 0},
	{"ocirc", 0x00F4, 0, 1},
	{"odot", 0x2299, 0, 0},
	{"oelig", 0x0153, 0, 0},
	{"ograve", 0x00F2, 0, 1},
	{"ohm", 0x03A9, 0, 0},
	{"oline", 0x203E, 0, 0},
	{"omega", 0x03C9, 0, 0},
	{"omicron", 0x03BF, 0, 0},
	{"oplus", 0x2295, 0, 0},
	{"or", 0x2228, 0, 0},
	{"ordf", 0x00AA, 0, 1},
	{"ordm", 0x00BA, 0, 1},
	{"oslash", 0x00F8, 0, 1},
	{"otilde", 0x00F5, 0, 1},
	{"otimes", 0x2297, 0, 0},
	{"ouml", 0x00F6, 0, 1},
	{"para", 0x00B6, 0, 1},
	{"part", 0x2202, 0, 0},
	{"percnt", 0x0025, 0, 0},
	{"period", 0x002E, 0, 0},
	{"permil", 0x2030, 0, 0},
	{"perp", 0x22A5, 0, 0},
	{"pertenk", 0x2031, 0, 0},
	{"phi", 0x03C6, 0, 0},
	{"phone", 0x260E, 0, 0},
	{"pi", 0x03C0, 0, 0},
	{"piv", 0x03D6, 0, 0},
	{"plus", 0x002B, 0, 0},
	{"plusmn", 0x00B1, 0, 1},
	{"pm", 0x00B1, 0, 0},
	{"pound", 0x00A3, 0, 1},
	{"prime", 0x2032, 0, 0},
	{"prod", 0x220F, 0, 0},
	{"prop", 0x221D, 0, 0},
	{"psi", 0x03C8, 0, 0},
	{"puncsp", 0x2008, 0, 0},
	{"quest", 0x003F, 0, 0},
	{"quot", 0x0022, 0, 1},
	{"rArr", 0x21D2, 0, 0},
	{"radic", 0x221A, 0, 0},
	{"rang", 0x27E9, 0, 0},
	{"raquo", 0x00BB, 0, 1},
	{"rarr", 0x2192, 0, 0},
	{"rarrhk", 0x21AA, 0, 0},
	{"rbrace", 0x007D, 0, 0},
	{"rbrack", 0x005D, 0, 0},
	{"rceil", 0x2309, 0, 0},
	{"rcub", 0x007D, 0, 0},
	{"rdquo", 0x201D, 0, 0},
	{"rdquor", 0x201D, 0, 0},
	{"real", 0x211C, 0, 0},
	{"reg", 0x00AE, 0, 1},
	{"rfloor", 0x230B, 0, 0},
	{"rho", 0x03C1, 0, 0},
	{"rightarrow", 0x2192, 0, 0},
	{"rlarr", 0x21C4, 0, 0},
	{"rlm", 0x200F, 0, 0},
	{"rpar", 0x0029, 0, 0},
	{"rsaquo", 0x203A, 0, 0},
	{"rsqb", 0x005D, 0, 0},
	{"rsquo", 0x2019, 0, 0},
	{"rsquor", 0x2019, 0, 0},
	{"rtrif", 0x25B8, 0, 0},
	{"sbquo", 0x201A, 0, 0},
	{"scaron", 0x0161, 0, 0},
	{"sdot", 0x22C5, 0, 0},
	{"sect", 0x00A7, 0, 1},
	{"semi", 0x003B, 0, 0},
	{"setminus", 0x2216, 0, 0},
	{"sharp", 0x266F, 0, 0},
	{"shy", 0x00AD, 0, 1},
	{"sigma", 0x03C3, 0, 0},
	{"sigmaf", 0x03C2, 0, 0},
	{"sim", 0x223C, 0, 0},
	{"smallsetminus", 0x2216, 0, 0},
	{"sol", 0x002F, 0, 0},
	{"spades", 0x2660, 0, 0},
	{"squ", 0x25A1, 0, 0},
	{"square", 0x25A1, 0, 0},
	{"star", 0x2606, 0, 0},
	{"starf", 0x2605, 0, 0},
	{"sub", 0x2282, 0, 0},
	{"sube", 0x2286, 0, 0},
	{"sum", 0x2211, 0, 0},
	{"sung", 0x266A, 0, 0},
	{"sup", 0x2283, 0, 0},
	{"sup1", 0x00B9, 0, 1},
	{"sup2", 0x00B2, 0, 1},
	{"sup3", 0x00B3, 0, 1},
	{"supe", 0x2287, 0, 0},
	{"szlig", 0x00DF, 0, 1},
	{"tau", 0x03C4, 0, 0},
	{"there4", 0x2234, 0, 0},
	{"theta", 0x03B8, 0, 0},
	{"thetasym", 0x03D1, 0, 0},
	{"thinsp", 0x2009, 0, 0},
	{"thorn", 0x00FE, 0, 1},
	{"tilde", 0x02DC, 0, 0},
	{"times", 0x00D7, 0, 1},
	{"tprime", 0x2034, 0, 0},
	{"trade", 0x2122, 0, 0},
	{"uArr", 0x21D1, 0, 0},
	{"uacute", 0x00FA, 0, 1},
	{"uarr", 0x2191, 0, 0},
	{"ucirc", 0x00FB, 0, 1},
	{"ugrave", 0x00F9, 0, 1},
	{"uml", 0x00A8, 0, 1},
	{"uparrow", 0x2191, 0, 0},
	{"upsih", 0x03D2, 0, 0},
	{"upsilon", 0x03C5, 0, 0},
	{"utrif", 0x25B4, 0, 0},
	{"uuml", 0x00FC, 0, 1},
	{"verbar", 0x007C, 0, 0},
	{"vert", 0x007C, 0, 0},
	{"weierp", 0x2118, 0, 0},
	{"xi", 0x03BE, 0, 0},
	{"yacute", 0x00FD, 0, 1},
	{"yen", 0x00A5, 0, 1},
	{"yuml", 0x00FF, 0, 1},
	{"zeta", 0x03B6, 0, 0},
	{"zwj", 0x200D, 0, 0},
	{"zwnj", 0x200C, 0, 0},
};

#define NAMED_COUNT (sizeof(named_refs) / sizeof(named_refs[0]))
/* Longest name in the table ("blacktriangleright"). */
#define NAME_MAX_LEN 18u

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static uint32_t numeric_fixup(uint32_t v)
{
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return UTF8_REPLACEMENT;
	/* HTML5 "numeric character reference end state": C1 codes taken as
	 * windows-1252, but for the five it leaves unassigned. */
	if (v >= 0x80 && v <= 0x9F && charset_cp1252((unsigned char)v))
		return charset_cp1252((unsigned char)v);
	return v;
}

static size_t decode_numeric(const char *p, const char *end, uint32_t cp[2],
			     unsigned *ncp)
{
	const char *q = p + 2; /* past "&#" */
	int hex = 0, digits = 0;
	uint32_t v = 0;

	if (q < end && (*q == 'x' || *q == 'X')) {
		hex = 1;
		q++;
	}
	while (q < end) {
		int d = hex ? hex_value(*q) : (*q >= '0' && *q <= '9' ? *q - '0' : -1);

		if (d < 0)
			break;
		/* Saturate: anything past U+10FFFF is invalid anyway. */
		v = v > 0x10FFFF ? v : v * (hex ? 16u : 10u) + (uint32_t)d;
		digits++;
		q++;
	}
	if (digits == 0)
		return 0;
	if (q < end && *q == ';')
		q++;
	cp[0] = numeric_fixup(v);
	*ncp = 1;
	return (size_t)(q - p);
}

static const struct named_ref *find_name(const char *name, size_t len)
{
	size_t lo = 0, hi = NAMED_COUNT;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *n = named_refs[mid].name;
		int c = strncmp(name, n, len);

		if (c == 0 && n[len] != '\0')
			c = -1; /* name is a proper prefix of n: it sorts before */
		if (c == 0)
			return &named_refs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t entity_decode(const char *p, const char *end, uint32_t cp[2], unsigned *ncp)
{
	const struct named_ref *r;
	const char *q;
	size_t len;

	if (p + 1 >= end || p[0] != '&')
		return 0;
	if (p[1] == '#')
		return decode_numeric(p, end, cp, ncp);
	q = p + 1;
	while (q < end && is_alnum(*q) && (size_t)(q - (p + 1)) <= NAME_MAX_LEN)
		q++;
	len = (size_t)(q - (p + 1));
	if (len == 0 || len > NAME_MAX_LEN)
		return 0;
	r = find_name(p + 1, len);
	if (!r)
		return 0;
	if (q < end && *q == ';') {
		q++;
	} else if (!r->legacy || (q < end && *q == '=')) {
		return 0;
	}
	cp[0] = r->cp1;
	cp[1] = r->cp2;
	*ncp = r->cp2 ? 2 : 1;
	return (size_t)(q - p);
}
