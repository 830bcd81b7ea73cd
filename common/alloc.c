/*
 * Allocation wrapper with per-thread fault injection for tests.
 * In production the countdown is 0 and the wrappers cost one branch.
 */
#include "common/alloc.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local long fail_countdown; /* 0: never fail */
static _Thread_local long alloc_count;
static _Thread_local unsigned long failed_count; /* injected or real */

/* Count a NULL result, so that callers of libraries that hide why they
 * failed (jansson's parser) can tell "out of memory" from bad input. */
static void *counted(void *p)
{
	if (p == NULL)
		failed_count++;
	return p;
}

unsigned long ls_alloc_failures(void)
{
	return failed_count;
}

static int alloc_should_fail(void)
{
	alloc_count++;
	if (fail_countdown == 0)
		return 0;
	if (--fail_countdown == 0)
		return 1;
	return 0;
}

/* jansson allocates through these wrappers too, so fault injection
 * reaches every JSON object the API and the tools build. It is set before
 * main() runs (jansson's allocator must not change while objects live),
 * in the one object file every program links. SQLite is hooked by
 * store/alloc.c. */
__attribute__((constructor)) static void hook_jansson(void)
{
	json_set_alloc_funcs(ls_malloc, ls_free);
}

long ls_alloc_fail_nth(long n)
{
	long made = alloc_count;
	fail_countdown = n < 0 ? 0 : n;
	alloc_count = 0;
	return made;
}

void *ls_malloc(size_t size)
{
	if (alloc_should_fail())
		return counted(NULL);
	return counted(malloc(size == 0 ? 1 : size));
}

void *ls_calloc(size_t count, size_t size)
{
	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	if (alloc_should_fail())
		return counted(NULL);
	return counted(calloc(count == 0 ? 1 : count, size == 0 ? 1 : size));
}

void *ls_realloc(void *ptr, size_t size)
{
	if (alloc_should_fail())
		return counted(NULL);
	return counted(realloc(ptr, size == 0 ? 1 : size));
}

void ls_free(void *ptr)
{
	free(ptr);
}

char *ls_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = ls_malloc(len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *ls_strdup(const char *s)
{
	return ls_strndup(s, SIZE_MAX);
}

void *ls_array_grow(void *items, size_t *cap, size_t need, size_t item_size,
                    size_t first)
{
	size_t ncap = *cap;
	void *grown;

	if (need <= *cap)
		return items;
	if (ncap < first)
		ncap = first;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	if (item_size != 0 && ncap > SIZE_MAX / item_size)
		return NULL;
	if ((grown = ls_realloc(items, ncap * item_size)) == NULL)
		return NULL;
	*cap = ncap;
	return grown;
}
