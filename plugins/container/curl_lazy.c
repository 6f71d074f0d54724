/* SPDX-License-Identifier: Apache-2.0 */
#include "curl_lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct ctr_curl g_curl;
static const struct ctr_curl *g_ready;
static char g_err[256];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* Sonames of libcurl 7 and 8: Debian's OpenSSL build, then its GnuTLS build. */
static const char *const sonames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };

#define RESOLVE(field, name)                                                             \
    do {                                                                                 \
        *(void **)&g_curl.field = dlsym(h, name);                                        \
        if (g_curl.field == NULL) {                                                      \
            snprintf(g_err, sizeof(g_err), "%s lacks %s: libcurl is too old", so, name); \
            return;                                                                      \
        }                                                                                \
    } while (0)

static void load(void)
{
    CURLcode (*global_init)(long flags);
    const char *so = NULL;
    void *h = NULL;

    for (size_t i = 0; i < sizeof(sonames) / sizeof(sonames[0]) && h == NULL; i++) {
        so = sonames[i];
        h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    }
    if (h == NULL) {
        snprintf(g_err, sizeof(g_err), "cannot load libcurl (%s): install libcurl4", dlerror());
        return;
    }
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_perform, "curl_easy_perform");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(multi_init, "curl_multi_init");
    RESOLVE(multi_add_handle, "curl_multi_add_handle");
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
    RESOLVE(multi_perform, "curl_multi_perform");
    RESOLVE(multi_info_read, "curl_multi_info_read");
    RESOLVE(multi_poll, "curl_multi_poll");
    RESOLVE(multi_wakeup, "curl_multi_wakeup");
    RESOLVE(multi_cleanup, "curl_multi_cleanup");
    *(void **)&global_init = dlsym(h, "curl_global_init");
    if (global_init == NULL || global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(g_err, sizeof(g_err), "cannot initialise %s", so);
        return;
    }
    /* kept loaded and initialised for the life of the process: other threads may hold
     * handles, and a second global init after a cleanup is not guaranteed to work */
    g_ready = &g_curl;
}

const struct ctr_curl *ctr_curl_get(char *err, size_t cap)
{
    pthread_once(&g_once, load);
    if (g_ready == NULL && err != NULL && cap > 0) {
        snprintf(err, cap, "%s", g_err);
    }
    return g_ready;
}
