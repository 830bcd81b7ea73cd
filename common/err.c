/*
 * Error codes: one table, three views (English, Dutch, stable name).
 */
#include "common/err.h"

#include <errno.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct err_row {
	const char *name;
	const char *en;
	const char *nl;
};

#define LS_ERR_ROW_(name, label, en, nl) [LS_E##name] = {label, en, nl},
static const struct err_row err_table[LS_ERR_COUNT_] = {
    [LS_OK] = {"ok", "success", "gelukt"}, LS_ERRORS(LS_ERR_ROW_)};
#undef LS_ERR_ROW_

static const struct err_row *err_lookup(int code)
{
	static const struct err_row unknown = {"unknown", "unknown error",
	                                       "onbekende fout"};
	if (code < 0 || code >= LS_ERR_COUNT_)
		return &unknown;
	return &err_table[code];
}

const char *ls_strerror(int code)
{
	return err_lookup(code)->en;
}

const char *ls_strerror_nl(int code)
{
	return err_lookup(code)->nl;
}

const char *ls_errname(int code)
{
	return err_lookup(code)->name;
}

int ls_errf(struct ls_errinfo *e, int code, const char *fmt, ...)
{
	char msg[sizeof e->msg];
	va_list ap;
	if (e == NULL)
		return code;
	/* Formatted aside first: callers wrap an earlier message with
	 * ls_errf(e, rc, "context: %s", e->msg), and vsnprintf must not
	 * write over what it is reading. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	e->code = code;
	memcpy(e->msg, msg, sizeof msg);
	return code;
}

void ls_errinfo_clear(struct ls_errinfo *e)
{
	if (e == NULL)
		return;
	e->code = LS_OK;
	e->msg[0] = '\0';
}

int ls_errno_code(int err)
{
	switch (err) {
	case 0:
		return LS_OK;
	case ENOENT:
		return LS_ENOTFOUND;
	case EEXIST:
		return LS_EEXISTS;
	case EACCES:
	case EPERM:
		return LS_EDENIED;
	case ENOSPC:
	case EDQUOT:
		return LS_EFULL;
	case ENOMEM:
		return LS_ENOMEM;
	case EFBIG:
	case ENAMETOOLONG:
		return LS_ELIMIT;
	default:
		return LS_EIO;
	}
}

const char *ls_errno_nl(int err)
{
	switch (err) {
	case ENOENT:
		return "het bestand of de map bestaat niet";
	case EACCES:
	case EPERM:
		return "geen toegang (rechten)";
	case EEXIST:
		return "bestaat al";
	case EISDIR:
		return "is een map";
	case ENOTDIR:
		return "een deel van het pad is geen map";
	case ENOSPC:
		return "de schijf is vol";
	case EDQUOT:
		return "het schijfquotum is op";
	case EROFS:
		return "alleen-lezen bestandssysteem";
	case ENAMETOOLONG:
		return "naam te lang";
	case EFBIG:
		return "bestand te groot";
	case EMFILE:
	case ENFILE:
		return "te veel open bestanden";
	case ENOMEM:
		return "onvoldoende geheugen";
	case EBUSY:
	case ETXTBSY:
		return "in gebruik";
	case ELOOP:
		return "te veel symbolische koppelingen";
	case EXDEV:
		return "ander bestandssysteem";
	default:
		return ls_strerror_nl(ls_errno_code(err));
	}
}
