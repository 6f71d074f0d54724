/* SPDX-License-Identifier: Apache-2.0 */
/*
 * out_http: an output sink POSTing alerts to a URL with libcurl (Falco's
 * http_output, with its keys). Each request carries one alert (batch_size 1,
 * Falco's way) or up to batch_size of the alerts the host hands over at once.
 * The body is the alert line: Content-Type application/json for JSON alerts,
 * text/plain otherwise.
 *
 * A 5xx, 408 or 429 answer, a connection error or a timeout is retried up to
 * max_retries times (timeouts at most max_consecutive_timeouts times in a
 * row), waiting retry_backoff, doubled each time, at most retry_backoff_max;
 * then the request's alerts count as failed. When a request gave up because
 * the server could not be reached, the rest of that write call fails at once
 * instead of waiting for the same timeouts again: the next write call tries
 * anew. So one call lasts at most about (max_retries + 1) * timeout plus the
 * backoffs, whatever the number of alerts, and the host's shutdown drain stays
 * bounded. The connection is reused from one request to the next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <saker/sdk.h>

#include "body.h"

#define MAX_BATCH 256

struct state {
    struct saker_errbuf err;
    /* settings */
    char *url;
    char *user_agent;
    bool insecure;
    char *ca_cert;
    char *ca_bundle;
    char *ca_path;
    bool mtls;
    char *client_cert;
    char *client_key;
    bool echo;
    bool compress;
    bool keep_alive;
    uint32_t max_timeouts;
    uint32_t max_retries;
    long timeout_ms;
    long connect_timeout_ms;
    uint64_t backoff_ms;
    uint64_t backoff_max_ms;
    uint32_t batch_size;
    struct curl_slist *extra; /* "headers" */

    /* the open sink */
    CURL *curl;
    struct curl_slist *hdr_json;
    struct curl_slist *hdr_text;
    struct bytes body;
    struct bytes gz;
    char curl_err[CURL_ERROR_SIZE];
    bool global_init;
};

SAKER_EXPORT const char *plugin_get_required_api_version(void)
{
    return "3.0.0";
}

SAKER_EXPORT const char *plugin_get_required_saker_ext_version(void)
{
    return "1.0.0";
}

SAKER_EXPORT const char *plugin_get_name(void)
{
    return "out_http";
}

SAKER_EXPORT const char *plugin_get_description(void)
{
    return "POSTs alerts to a URL, with retries, batches, TLS and client certificates";
}

SAKER_EXPORT const char *plugin_get_contact(void)
{
    return "https://github.com/saker-project/saker";
}

SAKER_EXPORT const char *plugin_get_version(void)
{
    return "0.1.0";
}

SAKER_EXPORT const char *plugin_get_init_schema(ss_plugin_schema_type *type)
{
    *type = SS_PLUGIN_SCHEMA_JSON;
    return "{\"type\":\"object\",\"properties\":{"
           "\"url\":{\"type\":\"string\",\"minLength\":1},"
           "\"user_agent\":{\"type\":\"string\"},"
           "\"insecure\":{\"type\":\"boolean\"},"
           "\"ca_cert\":{\"type\":\"string\"},"
           "\"ca_bundle\":{\"type\":\"string\"},"
           "\"ca_path\":{\"type\":\"string\"},"
           "\"mtls\":{\"type\":\"boolean\"},"
           "\"client_cert\":{\"type\":\"string\"},"
           "\"client_key\":{\"type\":\"string\"},"
           "\"echo\":{\"type\":\"boolean\"},"
           "\"compress_uploads\":{\"type\":\"boolean\"},"
           "\"keep_alive\":{\"type\":\"boolean\"},"
           "\"max_consecutive_timeouts\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":255},"
           "\"headers\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
           "\"timeout\":{\"type\":\"integer\",\"minimum\":1},"
           "\"connect_timeout\":{\"type\":\"integer\",\"minimum\":1},"
           "\"max_retries\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},"
           "\"retry_backoff\":{\"type\":\"integer\",\"minimum\":0},"
           "\"retry_backoff_max\":{\"type\":\"integer\",\"minimum\":0},"
           "\"batch_size\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":256}"
           "},\"required\":[\"url\"],\"additionalProperties\":false}";
}

static char *str_opt(const cJSON *cfg, const char *key, const char *def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

    return strdup(cJSON_IsString(v) ? v->valuestring : def);
}

static double num_opt(const cJSON *cfg, const char *key, double def, double min, double max)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
    double d = cJSON_IsNumber(v) ? v->valuedouble : def;

    return d < min ? min : d > max ? max : d;
}

static bool bool_opt(const cJSON *cfg, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cfg, key));
}

/* Falco accepts a quoted URL ("..." or '...'); libcurl wants it bare. */
static void unquote(char *s)
{
    size_t n = strlen(s);

    if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\''))) {
        memmove(s, s + 1, n - 2);
        s[n - 2] = '\0';
    }
}

SAKER_EXPORT ss_plugin_t *plugin_init(const ss_plugin_init_input *in, ss_plugin_rc *rc)
{
    struct state *s = calloc(1, sizeof(*s));
    cJSON *cfg;
    const cJSON *hdrs;

    if (s == NULL) {
        *rc = SS_PLUGIN_FAILURE;
        return NULL;
    }
    *rc = SS_PLUGIN_FAILURE;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        saker_err(&s->err, "libcurl did not initialise");
        return s;
    }
    s->global_init = true;
    cfg = cJSON_Parse(in->config && in->config[0] ? in->config : "{}");
    s->url = str_opt(cfg, "url", "");
    s->user_agent = str_opt(cfg, "user_agent", "saker");
    s->ca_cert = str_opt(cfg, "ca_cert", "");
    s->ca_bundle = str_opt(cfg, "ca_bundle", "");
    s->ca_path = str_opt(cfg, "ca_path", "/etc/ssl/certs");
    s->client_cert = str_opt(cfg, "client_cert", "/etc/ssl/certs/client.crt");
    s->client_key = str_opt(cfg, "client_key", "/etc/ssl/certs/client.key");
    s->insecure = bool_opt(cfg, "insecure");
    s->mtls = bool_opt(cfg, "mtls");
    s->echo = bool_opt(cfg, "echo");
    s->compress = bool_opt(cfg, "compress_uploads");
    s->keep_alive = bool_opt(cfg, "keep_alive");
    s->max_timeouts = (uint32_t)num_opt(cfg, "max_consecutive_timeouts", 5, 0, 255);
    s->max_retries = (uint32_t)num_opt(cfg, "max_retries", 3, 0, 100);
    s->timeout_ms = (long)num_opt(cfg, "timeout", 10000, 1, 86400000);
    s->connect_timeout_ms = (long)num_opt(cfg, "connect_timeout", 5000, 1, 86400000);
    s->backoff_ms = (uint64_t)num_opt(cfg, "retry_backoff", 100, 0, 3600000);
    s->backoff_max_ms = (uint64_t)num_opt(cfg, "retry_backoff_max", 5000, 0, 3600000);
    s->batch_size = (uint32_t)num_opt(cfg, "batch_size", 1, 1, MAX_BATCH);
    hdrs = cJSON_GetObjectItemCaseSensitive(cfg, "headers");
    if (s->url == NULL || s->user_agent == NULL || s->ca_cert == NULL || s->ca_bundle == NULL ||
        s->ca_path == NULL || s->client_cert == NULL || s->client_key == NULL) {
        saker_err(&s->err, "out of memory");
        goto out;
    }
    unquote(s->url);
    if (s->url[0] == '\0') {
        saker_err(&s->err, "init config needs a \"url\" (http_output.url)");
        goto out;
    }
    for (const cJSON *h = hdrs ? hdrs->child : NULL; h != NULL; h = h->next) {
        struct curl_slist *n;
        if (!cJSON_IsString(h) || strchr(h->valuestring, ':') == NULL) {
            saker_err(&s->err, "\"headers\" entries are \"Name: value\" strings");
            goto out;
        }
        n = curl_slist_append(s->extra, h->valuestring);
        if (n == NULL) {
            saker_err(&s->err, "out of memory");
            goto out;
        }
        s->extra = n;
    }
    *rc = SS_PLUGIN_SUCCESS;
out:
    cJSON_Delete(cfg);
    return s;
}

static void close_curl(struct state *s)
{
    if (s->curl != NULL) {
        curl_easy_cleanup(s->curl);
        s->curl = NULL;
    }
    curl_slist_free_all(s->hdr_json);
    curl_slist_free_all(s->hdr_text);
    s->hdr_json = NULL;
    s->hdr_text = NULL;
}

SAKER_EXPORT void plugin_destroy(ss_plugin_t *st)
{
    struct state *s = st;

    close_curl(s);
    bytes_fini(&s->body);
    bytes_fini(&s->gz);
    curl_slist_free_all(s->extra);
    free(s->url);
    free(s->user_agent);
    free(s->ca_cert);
    free(s->ca_bundle);
    free(s->ca_path);
    free(s->client_cert);
    free(s->client_key);
    if (s->global_init) {
        curl_global_cleanup();
    }
    free(s);
}

SAKER_EXPORT const char *plugin_get_last_error(ss_plugin_t *s)
{
    return ((struct state *)s)->err.msg;
}

static size_t discard(void *p, size_t size, size_t n, void *user)
{
    (void)p;
    (void)user;
    return size * n;
}

static size_t echo(void *p, size_t size, size_t n, void *user)
{
    (void)user;
    return fwrite(p, size, n, stdout) * size;
}

static struct curl_slist *headers(struct state *s, const char *content_type)
{
    struct curl_slist *l = NULL;
    struct curl_slist *n;

    if ((l = curl_slist_append(l, content_type)) == NULL) {
        return NULL;
    }
    /* no "Expect: 100-continue" round trip before larger bodies */
    if ((n = curl_slist_append(l, "Expect:")) == NULL) {
        curl_slist_free_all(l);
        return NULL;
    }
    if (s->compress && (n = curl_slist_append(l, "Content-Encoding: gzip")) == NULL) {
        curl_slist_free_all(l);
        return NULL;
    }
    for (struct curl_slist *h = s->extra; h != NULL; h = h->next) {
        if ((n = curl_slist_append(l, h->data)) == NULL) {
            curl_slist_free_all(l);
            return NULL;
        }
    }
    return l;
}

#define SET(opt, val)                                      \
    do {                                                   \
        if (res == CURLE_OK) {                             \
            res = curl_easy_setopt(s->curl, (opt), (val)); \
        }                                                  \
    } while (0)

static ss_plugin_rc open_curl(struct state *s)
{
    CURLcode res = CURLE_OK;
    CURLU *u = curl_url();
    CURLUcode uc;
    char *scheme = NULL;

    if (u == NULL) {
        return saker_err(&s->err, "out of memory");
    }
    uc = curl_url_set(u, CURLUPART_URL, s->url, 0);
    if (uc == CURLUE_OK) {
        uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    }
    if (uc != CURLUE_OK || scheme == NULL ||
        (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        curl_free(scheme);
        curl_url_cleanup(u);
        return saker_err(&s->err, "url '%s' is not an http:// or https:// URL (%s)", s->url,
                         uc != CURLUE_OK ? curl_url_strerror(uc) : "wrong scheme");
    }
    curl_free(scheme);
    curl_url_cleanup(u);

    s->curl = curl_easy_init();
    s->hdr_json = headers(s, "Content-Type: application/json");
    s->hdr_text = headers(s, "Content-Type: text/plain");
    if (s->curl == NULL || s->hdr_json == NULL || s->hdr_text == NULL) {
        close_curl(s);
        return saker_err(&s->err, "libcurl could not make a handle (out of memory)");
    }
    SET(CURLOPT_URL, s->url);
    SET(CURLOPT_NOSIGNAL, 1L); /* a sink runs in a thread of its own */
    SET(CURLOPT_ERRORBUFFER, s->curl_err);
    SET(CURLOPT_USERAGENT, s->user_agent);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_TIMEOUT_MS, s->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
    SET(CURLOPT_WRITEFUNCTION, s->echo ? echo : discard);
    if (s->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (s->mtls) {
        SET(CURLOPT_SSLCERT, s->client_cert);
        SET(CURLOPT_SSLKEY, s->client_key);
    }
    if (s->ca_cert[0] != '\0') {
        SET(CURLOPT_CAINFO, s->ca_cert);
    } else if (s->ca_bundle[0] != '\0') {
        SET(CURLOPT_CAINFO, s->ca_bundle);
    } else if (s->ca_path[0] != '\0') {
        SET(CURLOPT_CAPATH, s->ca_path);
    }
    if (s->keep_alive) {
        SET(CURLOPT_TCP_KEEPALIVE, 1L);
    }
    if (res != CURLE_OK) {
        close_curl(s);
        return saker_err(&s->err, "libcurl refused an option: %s", curl_easy_strerror(res));
    }
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT saker_sink_t *plugin_sink_open(ss_plugin_t *st, const char *params, ss_plugin_rc *rc)
{
    struct state *s = st;

    (void)params;
    *rc = open_curl(s);
    return *rc == SS_PLUGIN_SUCCESS ? s : NULL;
}

static void pause_ms(uint64_t ms)
{
    struct timespec d = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

    while (nanosleep(&d, &d) < 0 && errno == EINTR) {
    }
}

/*
 * One request for n alerts, with its retries. Returns the verdict; *retries
 * counts the attempts beyond the first, *unreachable says whether it gave up
 * because the server could not be reached.
 */
static enum http_verdict post(struct state *s,
                              const saker_alert *const *alerts,
                              uint32_t n,
                              uint32_t *retries,
                              bool *unreachable)
{
    enum http_verdict v = HTTP_FAILED;
    uint32_t timeouts = 0;
    bool json;
    const struct bytes *b = &s->body;
    CURLcode res = CURLE_OK;

    *retries = 0;
    *unreachable = false;
    if (http_body(&s->body, alerts, n, s->batch_size > 1, &json) < 0) {
        saker_err(&s->err, "out of memory building a request body");
        return HTTP_FAILED;
    }
    if (s->compress) {
        if (http_gzip(&s->gz, s->body.p, s->body.len) < 0) {
            saker_err(&s->err, "cannot gzip a request body");
            return HTTP_FAILED;
        }
        b = &s->gz;
    }
    SET(CURLOPT_HTTPHEADER, json ? s->hdr_json : s->hdr_text);
    SET(CURLOPT_POSTFIELDS, (const char *)b->p);
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)b->len);
    if (res != CURLE_OK) {
        saker_err(&s->err, "libcurl refused the request: %s", curl_easy_strerror(res));
        return HTTP_FAILED;
    }
    for (uint32_t attempt = 0;; attempt++) {
        long status = 0;
        bool timeout;

        s->curl_err[0] = '\0';
        res = curl_easy_perform(s->curl);
        if (res == CURLE_OK) {
            curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
        }
        v = http_judge((int)res, status, &timeout, unreachable);
        if (v == HTTP_DELIVERED) {
            return v;
        }
        if (res == CURLE_OK) {
            saker_err(&s->err, "POST %s: HTTP %ld after %u retries", s->url, status, attempt);
        } else {
            saker_err(&s->err, "POST %s: %s after %u retries", s->url,
                      s->curl_err[0] ? s->curl_err : curl_easy_strerror(res), attempt);
        }
        timeouts = timeout ? timeouts + 1 : 0;
        if (v != HTTP_RETRY || attempt >= s->max_retries ||
            (timeout && timeouts > s->max_timeouts)) {
            return HTTP_FAILED;
        }
        pause_ms(http_backoff_ms(s->backoff_ms, s->backoff_max_ms, attempt + 1));
        (*retries)++;
    }
}

SAKER_EXPORT ss_plugin_rc plugin_sink_write(ss_plugin_t *st,
                                            saker_sink_t *h,
                                            uint32_t n,
                                            const saker_alert *const *alerts,
                                            saker_sink_result *results)
{
    struct state *s = st;
    bool down = false;
    char why[PLUGIN_MAX_ERRLEN];

    (void)h;
    why[0] = '\0';
    for (uint32_t i = 0; i < n; i += s->batch_size) {
        uint32_t k = n - i < s->batch_size ? n - i : s->batch_size;
        uint32_t retries = 0;
        bool unreachable = false;
        enum http_verdict v = HTTP_FAILED;

        if (!down) {
            v = post(s, alerts + i, k, &retries, &unreachable);
        }
        for (uint32_t j = i; j < i + k; j++) {
            results[j].rc = v == HTTP_DELIVERED ? SS_PLUGIN_SUCCESS : SS_PLUGIN_FAILURE;
            results[j].retries = retries;
        }
        if (v != HTTP_DELIVERED && unreachable && !down) {
            /* the rest of this call fails at once; the next call tries again */
            down = true;
            memcpy(why, s->err.msg, sizeof(why));
        }
    }
    if (down) {
        saker_err(&s->err, "%s (later alerts of the same batch not attempted)", why);
    }
    return SS_PLUGIN_SUCCESS;
}

SAKER_EXPORT void plugin_sink_close(ss_plugin_t *st, saker_sink_t *h)
{
    (void)h;
    close_curl(st);
}
