/*
 * Structural notes: an array kept unique per (origin, dossier) on add, and
 * sorted for reading when it is first read after a change. Small (a few
 * notes per municipality), so a linear search on add is enough.
 */
#include "core/structural.h"
#include "common/alloc.h"
#include "common/text.h"
#include "core/dossier.h"
#include "core/taxonomy.h"

#include <stdlib.h>
#include <string.h>

struct structural {
	size_t n, cap;
	struct structural_note *notes;
	int sorted;
};

int ls_structural_new(struct structural **out)
{
	*out = ls_calloc(1, sizeof **out);
	return *out != NULL ? LS_OK : LS_ENOMEM;
}

void ls_structural_free(struct structural *st)
{
	if (st == NULL)
		return;
	ls_free(st->notes);
	ls_free(st);
}

int ls_structural_recognised(uint8_t phase)
{
	return phase >= LS_PHASE_RAPPORTEREN && phase < LS_PHASE_COUNT_;
}

int ls_structural_add(struct structural *st, const struct structural_note *n)
{
	size_t tl = strnlen(n->theme, LS_CODE_SIZE);
	size_t hl = strnlen(n->headline, sizeof n->headline);
	if (!ls_node_id_valid(n->origin, strnlen(n->origin, LS_NODE_ID_SIZE)) ||
	    !ls_code_valid(n->theme, tl) || n->phase >= LS_PHASE_COUNT_ ||
	    hl > STRUCTURAL_HEADLINE_MAX || !ls_utf8_valid(n->headline, hl) ||
	    memchr(n->problem_type, '\0', LS_CODE_SIZE) == NULL)
		return LS_EINVAL;
	for (size_t i = 0; i < st->n; i++) {
		struct structural_note *x = &st->notes[i];
		if (strcmp(x->origin, n->origin) != 0 ||
		    memcmp(x->dossier, n->dossier, sizeof x->dossier) != 0)
			continue;
		if (n->seq > x->seq) {
			*x = *n;
			st->sorted = 0;
		}
		return LS_OK;
	}
	{
		struct structural_note *p = ls_array_grow(
		    st->notes, &st->cap, st->n + 1, sizeof *p, 16);
		if (p == NULL)
			return LS_ENOMEM;
		st->notes = p;
	}
	st->notes[st->n++] = *n;
	st->sorted = 0;
	return LS_OK;
}

static int cmp_note(const void *a, const void *b)
{
	const struct structural_note *x = a, *y = b;
	int c = strcmp(x->theme, y->theme);
	int rx = ls_structural_recognised(x->phase);
	int ry = ls_structural_recognised(y->phase);
	if (c != 0)
		return c;
	if (rx != ry)
		return ry - rx;
	if (x->phase != y->phase)
		return (int)y->phase - (int)x->phase;
	if ((c = strcmp(x->origin, y->origin)) != 0)
		return c;
	if ((c = strcmp(x->headline, y->headline)) != 0)
		return c;
	return memcmp(x->dossier, y->dossier, sizeof x->dossier);
}

static void sort_notes(struct structural *st)
{
	if (!st->sorted && st->n > 1)
		qsort(st->notes, st->n, sizeof *st->notes, cmp_note);
	st->sorted = 1;
}

size_t ls_structural_count(struct structural *st)
{
	sort_notes(st);
	return st->n;
}

const struct structural_note *ls_structural_at(struct structural *st, size_t i)
{
	sort_notes(st);
	return i < st->n ? &st->notes[i] : NULL;
}

size_t ls_structural_theme_origins(struct structural *st, const char *theme,
                                   int recognised_only)
{
	size_t count = 0;
	sort_notes(st);
	for (size_t i = 0; i < st->n; i++) {
		const struct structural_note *x = &st->notes[i];
		int seen = 0;
		if (strcmp(x->theme, theme) != 0 ||
		    (recognised_only && !ls_structural_recognised(x->phase)))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(st->notes[j].theme, theme) == 0 &&
			       strcmp(st->notes[j].origin, x->origin) == 0 &&
			       (!recognised_only ||
			        ls_structural_recognised(st->notes[j].phase));
		count += !seen;
	}
	return count;
}
