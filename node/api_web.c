/*
 * The web pages: a fixed table of paths and the files of web/ that
 * answer them, read into memory once when the API is made, so that
 * serving a page never touches the disk on the loop thread and no
 * request can name a file (there is no directory lookup to traverse).
 *
 * Every page goes out with a Content-Security-Policy that allows only
 * this origin (no inline script, no external assets, no framing), so
 * the browser itself enforces what the pages promise; an ETag lets the
 * browser revalidate instead of downloading again.
 */
#include "common/alloc.h"
#include "common/text.h"
#include "node/api_internal.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Largest page file accepted. */
#define PAGE_MAX (512 * 1024)

static const char html[] = "text/html; charset=utf-8";

static const struct {
	const char *path;
	const char *file;
	const char *type;
} page_table[] = {
    {"/", "index.html", html},
    {"/invoer", "invoer.html", html},
    {"/dashboard", "dashboard.html", html},
    {"/federatie", "federatie.html", html},
    {"/signalen", "signalen.html", html},
    {"/dossiers", "dossiers.html", html},
    {"/static/signaal.css", "signaal.css", "text/css; charset=utf-8"},
    {"/static/signaal.js", "signaal.js", "text/javascript; charset=utf-8"},
    {"/static/invoer.js", "invoer.js", "text/javascript; charset=utf-8"},
    {"/static/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"},
    {"/static/federatie.js", "federatie.js", "text/javascript; charset=utf-8"},
    {"/static/signalen.js", "signalen.js", "text/javascript; charset=utf-8"},
    {"/static/dossiers.js", "dossiers.js", "text/javascript; charset=utf-8"},
    {"/static/icoon.svg", "icoon.svg", "image/svg+xml"},
};
#define N_PAGES (sizeof page_table / sizeof page_table[0])

static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static int read_page(const char *dir, const char *file, char **out, size_t *len,
                     struct ls_errinfo *e)
{
	char path[1024];
	struct stat st;
	FILE *fp;
	char *buf;
	int n = snprintf(path, sizeof path, "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof path)
		return ls_errf(e, LS_EIO, "pad naar de webpagina's is te lang");
	fp = fopen(path, "rb");
	if (fp == NULL)
		return ls_errf(e, LS_EIO, "kan de webpagina %s niet openen: %s",
		               path, strerror(errno));
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return ls_errf(e, LS_EIO, "%s is geen gewoon bestand", path);
	}
	if (st.st_size > PAGE_MAX) {
		fclose(fp);
		return ls_errf(e, LS_ELIMIT, "%s is te groot (max %d bytes)",
		               path, PAGE_MAX);
	}
	buf = ls_malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		fclose(fp);
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	}
	*len = fread(buf, 1, (size_t)st.st_size, fp);
	if (ferror(fp) || *len != (size_t)st.st_size) {
		fclose(fp);
		ls_free(buf);
		return ls_errf(e, LS_EIO, "kan %s niet lezen", path);
	}
	fclose(fp);
	buf[*len] = '\0';
	*out = buf;
	return LS_OK;
}

int node_api_pages_load(struct node_api *api, const char *dir,
                        struct ls_errinfo *e)
{
	int rc;
	api->pages = ls_calloc(N_PAGES, sizeof *api->pages);
	if (api->pages == NULL)
		return ls_errf(e, LS_ENOMEM, "onvoldoende geheugen");
	for (size_t i = 0; i < N_PAGES; i++) {
		struct api_page *p = &api->pages[i];
		uint8_t h[8];
		if ((rc = read_page(dir, page_table[i].file, &p->body, &p->len,
		                    e)) != LS_OK) {
			node_api_pages_free(api);
			return rc;
		}
		p->path = page_table[i].path;
		p->type = page_table[i].type;
		crypto_generichash(h, sizeof h, (const uint8_t *)p->body,
		                   p->len, NULL, 0);
		p->etag[0] = '"';
		ls_hex_encode(h, sizeof h, p->etag + 1);
		p->etag[17] = '"';
		p->etag[18] = '\0';
		api->n_pages = i + 1;
	}
	return LS_OK;
}

void node_api_pages_free(struct node_api *api)
{
	for (size_t i = 0; i < api->n_pages; i++)
		ls_free(api->pages[i].body);
	ls_free(api->pages);
	api->pages = NULL;
	api->n_pages = 0;
}

const struct api_page *node_api_page_find(const struct node_api *api,
                                          const char *path)
{
	for (size_t i = 0; path != NULL && i < api->n_pages; i++)
		if (strcmp(api->pages[i].path, path) == 0)
			return &api->pages[i];
	return NULL;
}

int node_api_page_serve(struct api_call *c, const struct api_page *p)
{
	const char *inm = c->req->if_none_match;
	node_api_header_add(c, "ETag", "%s", p->etag);
	node_api_header_add(c, "Cache-Control", "no-cache");
	node_api_header_add(c, "Content-Security-Policy", "%s", csp);
	node_api_header_add(c, "X-Frame-Options", "DENY");
	if (inm != NULL && strstr(inm, p->etag) != NULL)
		return node_api_reply_static(c, 304, NULL, NULL, 0);
	return node_api_reply_static(c, 200, p->type, p->body, p->len);
}
