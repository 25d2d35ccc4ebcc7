/* The stop a resolver handle sends to its lookups in flight (internal.h). Apart from
 * resolver.c so that lookup.c, which dial uses too, needs nothing of the DNS client: a
 * static program that never looks records up links without c-ares. */
#include "internal.h"

bool cnet__stopper_add(cnet__stopper *s, cnet__stop_hook *h)
{
    bool ok;

    h->next = h->prev = NULL;
    if (s == NULL)
        return true;
    pthread_mutex_lock(&s->mu);
    ok = !s->stopped;
    if (ok) {
        h->next = s->hooks;
        if (s->hooks != NULL)
            s->hooks->prev = h;
        s->hooks = h;
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void cnet__stopper_remove(cnet__stopper *s, cnet__stop_hook *h)
{
    if (s == NULL)
        return;
    pthread_mutex_lock(&s->mu);
    if (h->prev != NULL || s->hooks == h) { /* still linked: no stop ran it */
        if (h->prev != NULL)
            h->prev->next = h->next;
        else
            s->hooks = h->next;
        if (h->next != NULL)
            h->next->prev = h->prev;
    }
    h->next = h->prev = NULL;
    pthread_mutex_unlock(&s->mu);
}

void cnet__stopper_stop(cnet__stopper *s)
{
    cnet__stop_hook *h, *next;

    pthread_mutex_lock(&s->mu);
    s->stopped = true;
    for (h = s->hooks; h != NULL; h = next) {
        next = h->next;
        h->next = h->prev = NULL;
        h->fn(h);
    }
    s->hooks = NULL;
    pthread_mutex_unlock(&s->mu);
}
