/*
 * libFuzzer harness for the CSV import parser: the streaming reader and
 * the row mapper, fed in small, input-dependent chunks so that buffer
 * refills land everywhere. Any crash, leak, sanitizer report or a record
 * that breaks the reader's documented bounds is a bug.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/err.h"
#include "core/csv.h"
#include "core/taxonomy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A small taxonomy, embedded: fuzzers run in a scratch directory. */
static const char taxonomy_tsv[] =
    "dimension\tcode\tlabel_nl\tlabel_en\tparent\n"
    "theme\twonen\tWonen\tHousing\t\n"
    "theme\tmentaal\tMentaal\tMental\t\n"
    "theme\twonen-koten\tKoten\tRooms\twonen\n"
    "problem_type\twerking\tWerking\tWorking\t\n"
    "age_band\t12-17\t12-17\t12-17\t\n"
    "age_band\tonbekend\tOnbekend\tUnknown\t\n"
    "target_group\tgezin\tGezin\tFamily\t\n"
    "target_group\tstudent\tStudent\tStudent\t\n"
    "sector\tcaw\tCAW\tCAW\t\n";

struct src {
	const uint8_t *p;
	size_t len, pos;
	size_t chunk;
};

static long src_read(void *ctx, char *buf, size_t cap)
{
	struct src *s = ctx;
	size_t n = s->len - s->pos;
	if (n > cap)
		n = cap;
	if (n > s->chunk)
		n = s->chunk;
	memcpy(buf, s->p + s->pos, n);
	s->pos += n;
	return (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ls_taxonomy tax;
	static int loaded;
	struct src src;
	struct ls_csv *c;
	struct ls_csv_record rec;
	struct ls_csv_map map;
	struct ls_errinfo e;
	int have_map = 0;

	if (!loaded) {
		ls_taxonomy_init(&tax);
		if (ls_taxonomy_parse_tsv(taxonomy_tsv, strlen(taxonomy_tsv),
		                          &tax, NULL) != LS_OK)
			__builtin_trap();
		loaded = 1;
	}
	/* The first byte picks the read size (1..256), the rest is CSV. */
	src.chunk = size ? (size_t)data[0] + 1 : 1;
	src.p = size ? data + 1 : data;
	src.len = size ? size - 1 : 0;
	src.pos = 0;
	if (ls_csv_open(&c, src_read, &src) != LS_OK)
		return 0;
	for (int rows = 0; rows < 100000; rows++) {
		struct ls_signal sig;
		if (ls_csv_next(c, &rec, &e) != LS_OK || rec.n_fields == 0)
			break;
		if (rec.n_fields > LS_CSV_MAX_FIELDS)
			__builtin_trap();
		for (size_t i = 0; i < rec.n_fields; i++)
			if (rec.len[i] > LS_CSV_MAX_RECORD ||
			    rec.field[i][rec.len[i]] != '\0')
				__builtin_trap();
		if (!have_map) {
			if (ls_csv_map_header(&map, &rec, &e) != LS_OK)
				break;
			have_map = 1;
			continue;
		}
		if (ls_csv_map_row(&map, &rec, &tax, &sig, &e) == LS_OK) {
			/* a mapped signal satisfies its own validation */
			if (ls_signal_validate(&sig, NULL, &e) != LS_OK)
				__builtin_trap();
		}
	}
	ls_csv_close(c);
	return 0;
}
