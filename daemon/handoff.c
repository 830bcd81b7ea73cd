/*
 * Handoff from nng's threads to the loop: an nng aio callback calls
 * daemon_handoff_post(), which appends the item to a mutex-protected list
 * (once: an item already queued stays where it is) and wakes the loop with
 * uv_async_send() — the one libuv call that is safe from another thread.
 * On the loop, async_cb takes the whole list and runs each item's
 * callback. libuv may coalesce several wake-ups into one callback; the
 * list never loses an item.
 *
 * Shutdown: every aio that could post is stopped first (nng_aio_stop
 * waits for its callback), items still queued are taken out with
 * daemon_handoff_cancel() by their owners, then the async handle is closed.
 */
#include "daemon/daemon.h"

#include <string.h>

static void async_cb(uv_async_t *async)
{
	struct handoff *h = async->data;
	struct handoff_item *list;

	pthread_mutex_lock(&h->mu);
	list = h->head;
	h->head = h->tail = NULL;
	for (struct handoff_item *it = list; it != NULL; it = it->next)
		it->queued = 0;
	pthread_mutex_unlock(&h->mu);
	while (list != NULL) {
		struct handoff_item *it = list;
		list = it->next;
		it->next = NULL;
		/* An item may be posted again (by a new aio operation its
		 * callback starts) while the rest of the list runs: it is
		 * then in the new list, not this one. */
		it->cb(it);
	}
}

int daemon_handoff_init(struct handoff *h, uv_loop_t *loop)
{
	memset(h, 0, sizeof *h);
	if (pthread_mutex_init(&h->mu, NULL) != 0)
		return LS_ENOMEM;
	h->mu_ready = 1;
	if (uv_async_init(loop, &h->async, async_cb) != 0) {
		pthread_mutex_destroy(&h->mu);
		h->mu_ready = 0;
		return LS_EINTERNAL;
	}
	h->async.data = h;
	return LS_OK;
}

void daemon_handoff_post(struct handoff *h, struct handoff_item *item)
{
	pthread_mutex_lock(&h->mu);
	if (!item->queued) {
		item->queued = 1;
		item->next = NULL;
		if (h->tail != NULL)
			h->tail->next = item;
		else
			h->head = item;
		h->tail = item;
	}
	pthread_mutex_unlock(&h->mu);
	uv_async_send(&h->async);
}

int daemon_handoff_cancel(struct handoff *h, struct handoff_item *item)
{
	struct handoff_item **pp, *prev = NULL;
	int found = 0;

	pthread_mutex_lock(&h->mu);
	for (pp = &h->head; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
		if (*pp == item) {
			*pp = item->next;
			if (h->tail == item)
				h->tail = prev;
			item->next = NULL;
			item->queued = 0;
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&h->mu);
	return found;
}

static void async_closed_cb(uv_handle_t *handle)
{
	struct handoff *h = handle->data;
	pthread_mutex_destroy(&h->mu);
	h->mu_ready = 0;
}

void daemon_handoff_close(struct handoff *h)
{
	uv_close((uv_handle_t *)&h->async, async_closed_cb);
}
