/*
 * logfmt lines on stderr. One fprintf per line (stdio locks the stream), so
 * lines from different threads never interleave.
 */
#include "common/log.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum ls_log_level log_min_level = LS_LOG_INFO;

static const char *const level_names[] = {
    [LS_LOG_DEBUG] = "debug", [LS_LOG_INFO] = "info", [LS_LOG_WARN] = "warn",
    [LS_LOG_ERROR] = "error", [LS_LOG_OFF] = "off",
};

void ls_log_set_level(enum ls_log_level level)
{
	log_min_level = level;
}

enum ls_log_level ls_log_get_level(void)
{
	return log_min_level;
}

int ls_log_level_parse(const char *text, enum ls_log_level *out)
{
	for (int i = 0; i <= LS_LOG_OFF; i++) {
		if (strcmp(text, level_names[i]) == 0) {
			*out = (enum ls_log_level)i;
			return LS_OK;
		}
	}
	return LS_EINVAL;
}

void ls_log(enum ls_log_level level, const char *mod, const char *event,
            const char *kv_fmt, ...)
{
	char kv[768] = "";
	char ts[32];
	struct timespec now;
	struct tm tm;

	if (level < log_min_level || level >= LS_LOG_OFF)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	if (kv_fmt != NULL && kv_fmt[0] != '\0') {
		va_list ap;
		va_start(ap, kv_fmt);
		vsnprintf(kv, sizeof kv, kv_fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "ts=%s.%03ldZ level=%s mod=%s event=%s%s%s\n", ts,
	        now.tv_nsec / 1000000L, level_names[level], mod, event,
	        kv[0] ? " " : "", kv);
}
