/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcurl, loaded the first time a container runtime socket is there to talk
 * to. Linked at load time it brought some thirty libraries (TLS, Kerberos,
 * LDAP, ...) into every Saker process, about 8 MB of resident pages, on hosts
 * with no runtime at all. The headers still come from libcurl's development
 * package; only the calls go through this table.
 */
#ifndef CTR_CURL_LAZY_H
#define CTR_CURL_LAZY_H

#include <curl/curl.h>

struct ctr_curl {
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
    CURLcode (*easy_perform)(CURL *h);
    CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *h);
    const char *(*easy_strerror)(CURLcode cc);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
    CURLMcode (*multi_perform)(CURLM *m, int *running);
    CURLMsg *(*multi_info_read)(CURLM *m, int *left);
    CURLMcode (*multi_poll)(CURLM *m,
                            struct curl_waitfd *fds,
                            unsigned int nfds,
                            int timeout_ms,
                            int *numfds);
    CURLMcode (*multi_wakeup)(CURLM *m);
    CURLMcode (*multi_cleanup)(CURLM *m);
};

/*
 * libcurl's calls, loaded and globally initialised on the first call (any
 * thread; once per process). NULL when it cannot be loaded, with the reason
 * in err.
 */
const struct ctr_curl *ctr_curl_get(char *err, size_t cap);

#endif /* CTR_CURL_LAZY_H */
