#include "core/member.h"

#include <stdint.h>
#include <string.h>

int ls_node_id_valid(const char *text, size_t len)
{
	if (len == 0 || len > LS_NODE_ID_MAX || text[0] == '-' ||
	    text[len - 1] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
	}
	return 1;
}

const char *ls_role_name(int role)
{
	switch (role) {
	case LS_ROLE_MUNICIPALITY:
		return "gemeente";
	case LS_ROLE_AGGREGATOR:
		return "koepel";
	default:
		return "?";
	}
}

static int port_valid(const char *s, size_t len)
{
	int64_t port = 0;
	if (len == 0 || len > 5)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		port = port * 10 + (s[i] - '0');
	}
	return port >= 1 && port <= 65535 && s[0] != '0';
}

/* The schemes an endpoint may have. */
static const char *const endpoint_schemes[] = {"tcp://", "tls+tcp://"};

/* Length of s's scheme prefix, or 0 if it has none of them (or nothing
 * after it). */
static size_t scheme_len(const char *s, size_t len)
{
	for (size_t k = 0;
	     k < sizeof endpoint_schemes / sizeof *endpoint_schemes; k++) {
		size_t n = strlen(endpoint_schemes[k]);
		if (len > n && memcmp(s, endpoint_schemes[k], n) == 0)
			return n;
	}
	return 0;
}

static int ipv6_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

static int name_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '.' || c == '-';
}

/* The host starting at s[i]: "[v6 address]" or a name or IPv4 address,
 * followed by ':'. Returns the index of that ':', or 0 if the host is
 * empty, has a character it may not have, or no ':' follows. */
static size_t host_end(const char *s, size_t i, size_t len)
{
	size_t start = i;
	if (i < len && s[i] == '[') {
		for (i++; i < len && s[i] != ']'; i++)
			if (!ipv6_char(s[i]))
				return 0;
		if (i >= len || i == start + 1)
			return 0;
		i++; /* past ']' */
		return i < len && s[i] == ':' ? i : 0;
	}
	for (; i < len && s[i] != ':'; i++)
		if (!name_char(s[i]))
			return 0;
	return i < len && i > start ? i : 0;
}

int ls_endpoint_valid(const char *s, size_t len)
{
	size_t start, colon;
	if (len > LS_ENDPOINT_MAX)
		return 0;
	if ((start = scheme_len(s, len)) == 0)
		return 0;
	if ((colon = host_end(s, start, len)) == 0)
		return 0;
	return port_valid(s + colon + 1, len - colon - 1);
}
