#include "core/node.h"

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
