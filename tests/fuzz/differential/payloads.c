/*
 * The payloads of the test vectors that are documents, as seeds for the
 * differential fuzzer: for each FILE.hex given, the payload inside its
 * envelope is written to OUTDIR/FILE (vectors that are no envelope are
 * skipped).   payloads OUTDIR FILE.hex...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/envelope.h"

static size_t unhex(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = text; p[0] != '\0' && p[1] != '\0' && n < cap;) {
		unsigned v;
		if (sscanf(p, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		p += 2;
		while (*p == '\n' || *p == ' ')
			p++;
	}
	return n;
}

int main(int argc, char **argv)
{
	static char text[1 << 22];
	static uint8_t buf[1 << 21];
	int written = 0;

	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		struct ls_envelope env;
		size_t t, n;
		if (f == NULL)
			continue;
		t = fread(text, 1, sizeof text - 1, f);
		fclose(f);
		text[t] = '\0';
		n = unhex(text, buf, sizeof buf);
		if (proto_envelope_decode(buf, n, &env, NULL) != 0)
			continue;
		const char *base = strrchr(argv[i], '/');
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", argv[1],
		         base != NULL ? base + 1 : argv[i]);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(env.payload, 1, env.payload_len, f) != env.payload_len) {
			fprintf(stderr, "payloads: cannot write %s\n", path);
			return 1;
		}
		fclose(f);
		written++;
	}
	printf("%d vector payloads\n", written);
	return 0;
}
