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

int ls_endpoint_valid(const char *s, size_t len)
{
	size_t i, host_start, colon;
	if (len > LS_ENDPOINT_MAX)
		return 0;
	if (len > 6 && memcmp(s, "tcp://", 6) == 0)
		i = 6;
	else if (len > 10 && memcmp(s, "tls+tcp://", 10) == 0)
		i = 10;
	else
		return 0;
	host_start = i;
	if (i < len && s[i] == '[') {
		for (i++; i < len && s[i] != ']'; i++) {
			char c = s[i];
			if (!((c >= '0' && c <= '9') ||
			      (c >= 'a' && c <= 'f') ||
			      (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
				return 0;
		}
		if (i >= len || i == host_start + 1)
			return 0;
		i++; /* past ']' */
		if (i >= len || s[i] != ':')
			return 0;
		colon = i;
	} else {
		for (; i < len && s[i] != ':'; i++) {
			char c = s[i];
			if (!((c >= '0' && c <= '9') ||
			      (c >= 'a' && c <= 'z') ||
			      (c >= 'A' && c <= 'Z') || c == '.' || c == '-'))
				return 0;
		}
		if (i >= len || i == host_start)
			return 0;
		colon = i;
	}
	return port_valid(s + colon + 1, len - colon - 1);
}
