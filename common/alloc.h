/*
 * Allocation wrapper. All project code allocates through these functions so
 * that tests can make an allocation fail on purpose and check that every
 * error path unwinds cleanly (the dqlite/raft approach).
 *
 * Ownership: memory returned by ls_malloc/ls_calloc/ls_realloc/ls_strdup
 * belongs to the caller, who releases it with ls_free. ls_free(NULL) is a
 * no-op. Key material does not use these: it lives in sodium_malloc memory.
 *
 * jansson (hooked at program start) and SQLite (store/alloc.c) allocate
 * through these too, so injected failures reach their allocations.
 */
#ifndef LS_COMMON_ALLOC_H
#define LS_COMMON_ALLOC_H

#include <stddef.h>

void *ls_malloc(size_t size);
void *ls_calloc(size_t count, size_t size); /* checks count*size overflow */
void *ls_realloc(void *ptr, size_t size);
void ls_free(void *ptr);
char *ls_strdup(const char *s);
char *ls_strndup(const char *s, size_t n); /* at most n bytes, NUL-ended */

/*
 * Room for `need` items of item_size bytes in items (which holds *cap):
 * items itself when it already has room, else a larger block (doubling,
 * at least `first` items) with the contents moved and *cap updated.
 * NULL when the size would overflow or memory runs out; items and *cap
 * are then unchanged and still owned by the caller. Use:
 *
 *	struct x *grown = ls_array_grow(a->v, &a->cap, a->n + 1, sizeof *grown,
 *16); if (grown == NULL) return LS_ENOMEM; a->v = grown;
 */
void *ls_array_grow(void *items, size_t *cap, size_t need, size_t item_size,
                    size_t first);

/* How many allocations have failed on the calling thread so far (real or
 * injected). A caller of a library that does not say why it failed (a
 * jansson parse) compares the count before and after to tell "out of
 * memory" from bad input. */
unsigned long ls_alloc_failures(void);

/*
 * Test hook: the n-th allocation from now, on the calling thread, fails
 * (n = 1 fails the next one); n = 0 switches failure injection off.
 * Returns how many allocations were made on this thread since the last
 * call, so a test can first count a function's allocations, then fail each
 * in turn.
 */
long ls_alloc_fail_nth(long n);

#endif
