/* SPDX-License-Identifier: MIT */
/* Stopword lists and language detection. The lists are the function words of
 * each language (articles, pronouns, auxiliaries, prepositions, conjunctions,
 * common adverbs), lower-case, as they appear after case folding. */
#include "lang.h"

#include <errno.h>
#include <string.h>

#include "core/utf8.h"

static const char *const codes[LANG_COUNT] = { "und", "en", "fr", "de", "es", "it", "pt" };

static const char stop_en[] =
	"a about above after again against all also am an and any are as at be because been "
	"before being below between both but by can could did do does doing down during each "
	"few for from further had has have having he her here hers herself him himself his how "
	"i if in into is it its itself just me more most my myself no nor not now of off on "
	"once only or other our ours ourselves out over own same she should so some such than "
	"that the their theirs them themselves then there these they this those through to too "
	"under until up very was we were what when where which while who whom why will with "
	"would you your yours yourself yourselves said says say told according also mr mrs ms "
	"one two new year years last first however still may might must shall us many much "
	"since around across another every well back even way get got going like make made "
	"just yet though although whether within without upon onto per via s t don didn";

static const char stop_fr[] =
	"a à afin ai aie aient ait alors as au aucun aucune aujourd auprès aussi autre autres "
	"aux avaient avais avait avant avec avez avions avoir avons ayant c ça car ce ceci cela "
	"celle celles celui cependant ces cet cette ceux chez ci comme comment contre d dans de "
	"depuis des deux donc dont du elle elles en encore entre es est et étaient était étant "
	"été être eu eux fait faire fois font furent fut il ils j je jusqu l la le les leur "
	"leurs lors lorsque lui m ma mais me même mêmes mes moi moins mon n ne ni nos notre "
	"nous on ont ou où par parce parmi pas peu peut plus pour pourquoi puis qu quand que "
	"quel quelle quelles quels qui quoi s sa sans se selon ses si sien soi soit sommes son "
	"sont sous suis sur t ta te tes toi ton tous tout toute toutes très tu un une unes uns "
	"va vers vont vos votre vous y déjà été ainsi après avant bien aussi dit déclaré "
	"selon cette ces lequel laquelle lesquels auquel duquel celui-ci mme m. mr an ans "
	"année premier première dernier dernière autour toujours jamais rien tant trop";

static const char stop_de[] =
	"aber alle allem allen aller alles als also am an ander andere anderem anderen anderer "
	"anderes anders auch auf aus bei bin bis bist da damit dann das dass dasselbe dazu dein "
	"deine deinem deinen deiner dem demselben den denn denselben der derer derselbe "
	"derselben des desselben dessen dich die dies diese dieselbe dieselben diesem diesen "
	"dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige "
	"einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer "
	"für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen "
	"ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes "
	"jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können "
	"könnte machen man manche manchem manchen mancher manches mein meine meinem meinen "
	"meiner meines mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne "
	"sehr sein seine seinem seinen seiner seines selbst sich sie sind so solche solchem "
	"solchen solcher solches soll sollte sondern sonst über um und uns unsere unserem "
	"unseren unser unseres unter viel vom von vor während war waren warst was weg weil "
	"weiter welche welchem welchen welcher welches wenn werde werden wie wieder will wir "
	"wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen sagte laut jahr "
	"jahre sowie bereits schon mehr seit wurde wurden worden";

static const char stop_es[] =
	"a al algo algunas algunos ante antes como con contra cual cuando de del desde donde "
	"durante e el él ella ellas ellos en entre era erais eran eras eres es esa esas ese "
	"eso esos esta está estaba estado están estar este esto estos fue fueron fui ha había "
	"habían han has hasta hay la las le les lo los más me mi mis mucho muchos muy nada "
	"ni no nos nosotros nuestra nuestro o os otra otras otro otros para pero poco por "
	"porque que qué quien quienes se sea ser si sí sido sin sobre son su sus también "
	"tanto te tenemos tener tengo ti tiene tienen todo todos tu tus un una uno unos vosotros "
	"y ya yo según dijo año años dos tras cada mismo misma así aunque donde hoy solo sólo "
	"además entonces luego menos siempre aquí allí este esta estas ese";

static const char stop_it[] =
	"a ad agli ai al alla alle allo anche avere aveva avevano c che chi ci come con contro "
	"cui da dal dalla dalle dagli dai dallo degli dei del della delle dello di dove e è ed "
	"era erano essere fa fra gli ha hanno ho i il in io la le lei li lo loro lui ma me mi "
	"mia mio ne negli nei nel nella nelle nello noi non nostro o per perché più poi quale "
	"quando quanto quella quelle quelli quello questa queste questi questo se sei si sia "
	"siamo sono sta stato su sua sue sugli sui sul sulla sulle suo suoi ti tra tu tutti "
	"tutto un una uno vi voi anni anno due stata stati secondo dopo già ancora molto sempre "
	"così però solo oggi fatto detto ha detto delle degli nella essere";

static const char stop_pt[] =
	"a à ao aos as às até com como da das de dela dele deles do dos e é ela elas ele eles "
	"em entre era eram essa essas esse esses esta está estão este estes eu foi foram há "
	"isso isto já lhe lhes mais mas me mesmo meu minha muito na nas não nem no nos nós "
	"nossa nosso num numa o os ou para pela pelas pelo pelos por qual quando que quem se "
	"sem ser seu seus sua suas só também te tem têm ter teu tua um uma umas uns você vocês "
	"vos disse ano anos dois segundo sobre após ainda ao pois onde cada porque depois "
	"todos todas tudo outro outra outros outras seja sido sendo estava";

static const char *const lists[LANG_COUNT] = {
	NULL, stop_en, stop_fr, stop_de, stop_es, stop_it, stop_pt,
};

/* Words that, opening a sentence, lean on the one before: pronouns,
 * demonstratives, possessives and connectives ("He said", "This", "But",
 * "Il a ajouté", "Er sagte"). Ours, written for issue 14 (MIT like the rest). */
static const char open_en[] =
	"he she they his her their this these those such but however also and so yet "
	"still meanwhile moreover furthermore nevertheless instead then";
static const char open_fr[] =
	"il elle ils elles ce cette ces cela ça celui celle mais cependant pourtant toutefois "
	"puis ensuite lui leur leurs son sa ses donc or aussi";
static const char open_de[] =
	"er sie dies diese dieser dieses diesem diesen aber doch jedoch dennoch zudem "
	"außerdem dabei damit deshalb daher dort sein seine seiner seinen ihr ihre ihren";
static const char open_es[] =
	"él ella ellos ellas esto este esta estos estas eso pero además también su sus";
static const char open_it[] =
	"lui lei loro egli esso essa questo questa questi queste ciò ma però tuttavia inoltre "
	"anche suo sua suoi sue";
static const char open_pt[] =
	"ele ela eles elas isto isso este esta estes estas mas porém contudo também além "
	"seu sua seus suas";

static const char *const openers[LANG_COUNT] = {
	NULL, open_en, open_fr, open_de, open_es, open_it, open_pt,
};

/* A table entry's mask: stopword bits low, opener bits shifted up. */
#define OPENER_SHIFT 8

/* Open addressing over 64-bit hashes; about 1,100 distinct stopwords and
 * 150 openers fill under two thirds of it. RAM: 2048 x 16 bytes = 32 KiB. */
#define STOP_SLOTS 2048u
static struct {
	uint64_t hash;
	unsigned mask;
} stop_table[STOP_SLOTS];
static int stop_ready;

uint64_t lang_hash(const char *folded, size_t len)
{
	uint64_t h = LANG_HASH_INIT;

	for (size_t i = 0; i < len; i++)
		h = lang_hash_byte(h, (unsigned char)folded[i]);
	return h;
}

static void stop_add(uint64_t h, unsigned bit)
{
	size_t i = (size_t)(h & (STOP_SLOTS - 1));

	while (stop_table[i].mask && stop_table[i].hash != h)
		i = (i + 1) & (STOP_SLOTS - 1);
	stop_table[i].hash = h;
	stop_table[i].mask |= bit;
}

/* Hashes words the way the tokenizer does: folded, split at non-word
 * characters, so "aujourd" and "m." enter as they will be looked up. */
static void fill_list(const char *list, unsigned bit)
{
	const unsigned char *p = (const unsigned char *)list;
	const unsigned char *end = p + strlen(list);
	uint64_t h = LANG_HASH_INIT;
	int in_word = 0;

	while (p <= end) {
		uint32_t cp = ' ';
		size_t n = 1;

		if (p < end)
			n = utf8_decode(p, end, &cp);
		if (utf8_is_word(cp)) {
			unsigned char enc[4];
			size_t k = utf8_encode(utf8_fold(cp), enc);

			for (size_t j = 0; j < k; j++)
				h = lang_hash_byte(h, enc[j]);
			in_word = 1;
		} else if (in_word) {
			stop_add(h, bit);
			h = LANG_HASH_INIT;
			in_word = 0;
		}
		p += n;
	}
}

static void stop_fill(void)
{
	for (int l = 1; l < LANG_COUNT; l++) {
		fill_list(lists[l], LANG_BIT(l));
		fill_list(openers[l], LANG_BIT(l) << OPENER_SHIFT);
	}
	stop_ready = 1;
}

static unsigned table_mask(uint64_t word_hash)
{
	size_t i = (size_t)(word_hash & (STOP_SLOTS - 1));

	if (!stop_ready)
		stop_fill();
	while (stop_table[i].mask) {
		if (stop_table[i].hash == word_hash)
			return stop_table[i].mask;
		i = (i + 1) & (STOP_SLOTS - 1);
	}
	return 0;
}

unsigned lang_stopword_mask(uint64_t word_hash)
{
	return table_mask(word_hash) & LANG_ANY_STOP;
}

unsigned lang_opener_mask(uint64_t word_hash)
{
	return (table_mask(word_hash) >> OPENER_SHIFT) & LANG_ANY_STOP;
}

const char *lang_code(enum lang l)
{
	return (l >= 0 && l < LANG_COUNT) ? codes[l] : codes[LANG_UND];
}

int lang_parse(const char *code, size_t len, enum lang *out)
{
	size_t n = 0;

	while (n < len && code[n] != '-' && code[n] != '_')
		n++;
	if (n < 2 || n > 3)
		return -EINVAL;
	for (int l = 0; l < LANG_COUNT; l++) {
		if (strlen(codes[l]) != n)
			continue;
		size_t i = 0;
		while (i < n && (code[i] | 0x20) == codes[l][i])
			i++;
		if (i == n) {
			*out = (enum lang)l;
			return 0;
		}
	}
	return -EINVAL;
}

void lang_vote(struct lang_votes *v, unsigned mask)
{
	v->words++;
	for (int l = 1; l < LANG_COUNT; l++)
		if (mask & LANG_BIT(l))
			v->hits[l]++;
}

enum lang lang_decide(const struct lang_votes *v)
{
	enum lang best = LANG_UND;
	uint32_t best_hits = 0;

	for (int l = 1; l < LANG_COUNT; l++) {
		if (v->hits[l] > best_hits) {
			best_hits = v->hits[l];
			best = (enum lang)l;
		}
	}
	/* Function words make 30-50 % of running text in these languages; under
	 * 10 % (or too few words to tell) the text is in some other language. */
	if (best_hits < 3 || (uint64_t)best_hits * 10 < v->words)
		return LANG_UND;
	return best;
}
