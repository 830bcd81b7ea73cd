/*
 * Helpers shared by the unit tests of core/ and store/: the shipped
 * taxonomy, temporary directories, and a fresh store with the taxonomy
 * loaded. Tests run from the repository root (tests/run.sh cd's there).
 */
#ifndef LS_TESTS_UNIT_FIXTURE_H
#define LS_TESTS_UNIT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "core/taxonomy.h"

#define FIXTURE_TAXONOMY "configs/taxonomy.tsv"

/* The whole file in a malloc'd buffer (caller frees); NULL on failure. */
static inline char *fixture_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long size;
	char *buf;
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, fp) != (size_t)size) {
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

/* Load the shipped taxonomy into *t; ids are 1..n in file order so
 * tests that need store-like ids have them. Aborts on failure. */
static inline void fixture_taxonomy(struct ls_taxonomy *t)
{
	size_t len;
	char *text = fixture_read(FIXTURE_TAXONOMY, &len);
	if (text == NULL) {
		fprintf(stderr,
		        "cannot read %s (run from the repository "
		        "root)\n",
		        FIXTURE_TAXONOMY);
		abort();
	}
	ls_taxonomy_init(t);
	if (ls_taxonomy_parse_tsv(text, len, t, NULL) != LS_OK)
		abort();
	for (size_t i = 0; i < t->n; i++)
		t->entries[i].id = (int64_t)i + 1;
	free(text);
}

/* Write text to path (made or truncated) and give it mode: 0, or -1
 * when a step failed. */
static inline int fixture_write(const char *path, const char *text,
                                mode_t mode)
{
	FILE *fp = fopen(path, "w");
	int ok;
	if (fp == NULL)
		return -1;
	ok = fputs(text, fp) >= 0;
	ok = fclose(fp) == 0 && ok;
	return ok && chmod(path, mode) == 0 ? 0 : -1;
}

/* A fresh temporary directory name in dir (size >= 64). */
static inline void fixture_tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/signaal-unit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
}

/* rm -rf of a test directory (paths we made ourselves). */
static inline void fixture_rmdir(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

#endif
