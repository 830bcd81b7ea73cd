/*
 * The fuzzer's input read as a stream of choices: each rd() takes the
 * next byte, and an exhausted input reads as zeros, so every input,
 * however short, drives a complete run.
 */
#ifndef LS_TESTS_FUZZ_READER_H
#define LS_TESTS_FUZZ_READER_H

#include <stddef.h>
#include <stdint.h>

struct reader {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t rd(struct reader *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

#endif
