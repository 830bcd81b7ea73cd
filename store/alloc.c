/*
 * SQLite allocates through common/alloc.h, so the tests' fault injection
 * (ls_alloc_fail_nth) reaches SQLite's own allocations too: a test that
 * fails "the n-th allocation" of a store call can hit the statement cache,
 * a page or a result row, and the store must turn that into LS_ENOMEM
 * with nothing half done.
 *
 * SQLite's allocator interface needs the size of a live block (xSize), so
 * each block carries its size in a header of one max_align_t.
 */
#include "store/internal.h"

#include "common/alloc.h"
#include "common/log.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define HEADER sizeof(max_align_t)

static void *sq_malloc(int n)
{
	unsigned char *p;
	if (n <= 0 || (size_t)n > SIZE_MAX - HEADER)
		return NULL;
	if ((p = ls_malloc(HEADER + (size_t)n)) == NULL)
		return NULL;
	*(size_t *)(void *)p = (size_t)n;
	return p + HEADER;
}

static void sq_free(void *block)
{
	if (block != NULL)
		ls_free((unsigned char *)block - HEADER);
}

static void *sq_realloc(void *block, int n)
{
	unsigned char *p;
	if (block == NULL)
		return sq_malloc(n);
	if (n <= 0 || (size_t)n > SIZE_MAX - HEADER)
		return NULL;
	p = ls_realloc((unsigned char *)block - HEADER, HEADER + (size_t)n);
	if (p == NULL)
		return NULL;
	*(size_t *)(void *)p = (size_t)n;
	return p + HEADER;
}

static int sq_size(void *block)
{
	if (block == NULL)
		return 0;
	return (int)*(size_t *)(void *)((unsigned char *)block - HEADER);
}

static int sq_roundup(int n)
{
	return (n + 7) & ~7;
}

static int sq_init(void *unused)
{
	(void)unused;
	return SQLITE_OK;
}

static void sq_shutdown(void *unused)
{
	(void)unused;
}

static void setup_once(void)
{
	static const sqlite3_mem_methods methods = {
	    sq_malloc,  sq_free, sq_realloc,  sq_size,
	    sq_roundup, sq_init, sq_shutdown, NULL,
	};
	/* SQLITE_MISUSE: SQLite was already started by someone else in this
	 * process; it then keeps its own allocator, which is only a loss of
	 * test coverage. */
	int rc = sqlite3_config(SQLITE_CONFIG_MALLOC, &methods);
	if (rc != SQLITE_OK)
		LS_WARN("store", "sqlite_alloc", "rc=%d msg=\"%s\"", rc,
		        sqlite3_errstr(rc));
	/* SQLite's memory statistics take a process-wide mutex on every
	 * allocation (the writer, the readers and the sync engine each have
	 * a connection); nothing here reads them (sqlite3_memory_used, heap
	 * limits), so they are off. */
	else if ((rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)) !=
	         SQLITE_OK)
		LS_WARN("store", "sqlite_memstatus", "rc=%d msg=\"%s\"", rc,
		        sqlite3_errstr(rc));
}

void store_alloc_setup(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	(void)pthread_once(&once, setup_once);
}
