/*
 * Project-wide error codes.
 *
 * Every non-static function that can fail returns int: LS_OK (0) or one of
 * the codes below. Codes and their messages come from the single table
 * LS_ERRORS, in English (logs, developers) and Dutch (end users). Raw errno,
 * UV_E*, NNG_E* or SQLITE_* values never cross a module boundary: translate
 * them where they are caught and log the original.
 *
 * Functions that parse input may also fill a struct ls_errinfo with the
 * details a person needs to fix it (line, column, field).
 */
#ifndef LS_COMMON_ERR_H
#define LS_COMMON_ERR_H

#include <stddef.h>

/* X(name, label, english, dutch); label is the stable lower-case name */
#define LS_ERRORS(X)                                                           \
	X(NOMEM, "nomem", "out of memory", "onvoldoende geheugen")             \
	X(INVAL, "inval", "invalid input", "ongeldige invoer")                 \
	X(IO, "io", "input/output error", "lees- of schrijffout")              \
	X(NOTFOUND, "notfound", "not found", "niet gevonden")                  \
	X(EXISTS, "exists", "already exists", "bestaat al")                    \
	X(STORE, "store", "database error", "databankfout")                    \
	X(SCHEMA, "schema", "unsupported database schema version",             \
	  "deze databankversie wordt niet ondersteund")                        \
	X(CORRUPT, "corrupt", "data corrupt", "gegevens zijn beschadigd")      \
	X(DECODE, "decode", "malformed data", "onleesbare gegevens")           \
	X(LIMIT, "limit", "limit exceeded", "limiet overschreden")             \
	X(SIG, "sig", "bad signature", "ongeldige handtekening")               \
	X(KEY, "key", "unknown or unusable key",                               \
	  "onbekende of ongeldige sleutel")                                    \
	X(REVOKED, "revoked", "key or node revoked",                           \
	  "sleutel of knooppunt ingetrokken")                                  \
	X(EXPIRED, "expired", "outside validity period",                       \
	  "buiten de geldigheidsperiode")                                      \
	X(FORK, "fork", "conflicting documents for the same feed position",    \
	  "tegenstrijdige documenten op dezelfde plaats in de feed")           \
	X(CHAIN, "chain", "broken feed chain", "onderbroken feedketen")        \
	X(REPLAY, "replay", "replayed or stale request",                       \
	  "herhaald of verlopen verzoek")                                      \
	X(DENIED, "denied", "not allowed", "niet toegestaan")                  \
	X(STATE, "state", "not allowed in the current state",                  \
	  "niet toegestaan in de huidige toestand")                            \
	X(POLICY, "policy", "violates the disclosure policy",                  \
	  "in strijd met het openbaarmakingsbeleid")                           \
	X(BUDGET, "budget", "privacy budget exhausted",                        \
	  "privacybudget is opgebruikt")                                       \
	X(CONFIG, "config", "invalid configuration", "ongeldige configuratie") \
	X(NET, "net", "network error", "netwerkfout")                          \
	X(TIMEOUT, "timeout", "timed out", "time-out")                         \
	X(BUSY, "busy", "busy, try again", "bezet, probeer opnieuw")           \
	X(CRYPTO, "crypto", "cryptographic failure", "cryptografische fout")   \
	X(INTERNAL, "internal", "internal error", "interne fout")              \
	X(FULL, "full", "disk full", "de schijf is vol")

enum ls_err {
	LS_OK = 0,
#define LS_ERR_ENUM_(name, label, en, nl) LS_E##name,
	LS_ERRORS(LS_ERR_ENUM_)
#undef LS_ERR_ENUM_
	    LS_ERR_COUNT_
};

/* The project's code for an errno value (LS_OK for 0): ENOENT
 * LS_ENOTFOUND, EEXIST LS_EEXISTS, EACCES/EPERM LS_EDENIED, ENOSPC/EDQUOT
 * LS_EFULL, ENOMEM, EFBIG/ENAMETOOLONG LS_ELIMIT, anything else LS_EIO. */
int ls_errno_code(int err);

/* What an errno value means, in Dutch, for end users ("het bestand of de
 * map bestaat niet"); strerror() is English in the C locale. Never NULL. */
const char *ls_errno_nl(int err);

/* Short English message for a code; never NULL (unknown codes too). */
const char *ls_strerror(int code);

/* Short Dutch message for a code, for end users; never NULL. */
const char *ls_strerror_nl(int code);

/* Stable lower-case name of a code ("decode", "sig", ...), for metrics
 * labels and machine-readable output; never NULL. */
const char *ls_errname(int code);

/* Details of a failure for the person who must fix it. */
struct ls_errinfo {
	int code;
	char msg[512];
};

/* Record code and a printf-style message in *e (e may be NULL) and return
 * code, so that callers can write `return ls_errf(e, LS_EINVAL, ...)`.
 * A message that does not fit is truncated. The arguments may include
 * e->msg itself (to wrap an earlier message in context). */
int ls_errf(struct ls_errinfo *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reset *e to "no error" (e may be NULL). */
void ls_errinfo_clear(struct ls_errinfo *e);

#endif
