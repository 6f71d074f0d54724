/* SPDX-License-Identifier: Apache-2.0 */
/* The bounded queue between the webhook's threads and next_batch. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "k8saudit.h"

int k8s_queue_init(struct k8s_queue *q, uint64_t max_events, uint64_t max_bytes)
{
    pthread_condattr_t ca;

    memset(q, 0, sizeof(*q));
    /* every chunk holds at least one event, so max_events chunks is the most ever queued */
    q->ring_cap = max_events < 65536 ? (size_t)max_events : 65536;
    q->ring = calloc(q->ring_cap, sizeof(*q->ring));
    if (q->ring == NULL) {
        return -1;
    }
    q->max_events = max_events;
    q->max_bytes = max_bytes;
    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    return 0;
}

void k8s_queue_fini(struct k8s_queue *q)
{
    if (q->ring == NULL) {
        return;
    }
    for (size_t i = 0; i < q->n; i++) {
        free(q->ring[(q->head + i) % q->ring_cap].data);
    }
    free(q->ring);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    memset(q, 0, sizeof(*q));
}

int k8s_queue_push(struct k8s_queue *q, struct k8s_chunk *c)
{
    int rc = -1;

    pthread_mutex_lock(&q->mu);
    if (q->n < q->ring_cap && q->events + c->count <= q->max_events &&
        q->bytes + c->len <= q->max_bytes) {
        q->ring[(q->head + q->n) % q->ring_cap] = *c;
        q->n++;
        q->events += c->count;
        q->bytes += c->len;
        rc = 0;
        pthread_cond_signal(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

size_t k8s_queue_pop(struct k8s_queue *q,
                     struct k8s_chunk *out,
                     size_t max_out,
                     uint32_t max_events,
                     int wait_ms,
                     uint64_t *events,
                     uint64_t *bytes)
{
    size_t got = 0;
    uint32_t taken = 0;

    pthread_mutex_lock(&q->mu);
    if (q->n == 0 && wait_ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)wait_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (q->n == 0) {
            if (pthread_cond_timedwait(&q->cv, &q->mu, &until) == ETIMEDOUT) {
                break;
            }
        }
    }
    while (q->n > 0 && got < max_out &&
           (got == 0 || taken + q->ring[q->head].count <= max_events)) {
        struct k8s_chunk *c = &q->ring[q->head];
        out[got++] = *c;
        taken += c->count;
        q->events -= c->count;
        q->bytes -= c->len;
        memset(c, 0, sizeof(*c));
        q->head = (q->head + 1) % q->ring_cap;
        q->n--;
    }
    *events = q->events;
    *bytes = q->bytes;
    pthread_mutex_unlock(&q->mu);
    return got;
}
