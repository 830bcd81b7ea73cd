/*
 * Structured logging to stderr, one logfmt line per event:
 *
 *   ts=2026-11-23T10:00:00.123Z level=warn mod=sync event=doc_rejected \
 *       peer=gent reason=sig
 *
 * `event` is a stable snake_case name; the rest are key=value pairs given
 * by the caller. Values with spaces must be quoted by the caller (%q-style
 * helpers are deliberately absent: keep values simple). Never log secrets,
 * free text from signals, or personal data.
 */
#ifndef LS_COMMON_LOG_H
#define LS_COMMON_LOG_H

enum ls_log_level {
	LS_LOG_DEBUG = 0,
	LS_LOG_INFO,
	LS_LOG_WARN,
	LS_LOG_ERROR,
	LS_LOG_OFF,
};

/* Minimum level written (default LS_LOG_INFO). Process-wide. */
void ls_log_set_level(enum ls_log_level level);
enum ls_log_level ls_log_get_level(void);

/* Parse "debug|info|warn|error|off"; LS_OK or LS_EINVAL. */
int ls_log_level_parse(const char *text, enum ls_log_level *out);

/* Write one event. kv_fmt may be NULL or "" for no extra pairs. */
void ls_log(enum ls_log_level level, const char *mod, const char *event,
            const char *kv_fmt, ...) __attribute__((format(printf, 4, 5)));

#define LS_DEBUG(mod, event, ...) ls_log(LS_LOG_DEBUG, mod, event, __VA_ARGS__)
#define LS_INFO(mod, event, ...) ls_log(LS_LOG_INFO, mod, event, __VA_ARGS__)
#define LS_WARN(mod, event, ...) ls_log(LS_LOG_WARN, mod, event, __VA_ARGS__)
#define LS_ERROR(mod, event, ...) ls_log(LS_LOG_ERROR, mod, event, __VA_ARGS__)

#endif
