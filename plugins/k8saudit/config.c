/* SPDX-License-Identifier: Apache-2.0 */
/*
 * init_config of the k8saudit plugin: upstream's keys (sslCertificate,
 * maxEventSize, webhookMaxBatchSize, useAsync) plus Saker's webhook options.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8saudit.h"

#define DEFAULT_CERT "/etc/falco/falco.pem"

const char K8S_INIT_SCHEMA[] =
        "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"type\":\"object\","
        "\"additionalProperties\":true,\"properties\":{"
        "\"sslCertificate\":{\"type\":\"string\",\"title\":\"TLS certificate\",\"description\":"
        "\"PEM file with the certificate of the https:// webhook, and its private key unless "
        "sslPrivateKey is set.\",\"default\":\"" DEFAULT_CERT "\"},"
        "\"sslPrivateKey\":{\"type\":\"string\",\"title\":\"TLS private key\",\"description\":"
        "\"PEM file with the private key, when it is not in sslCertificate.\"},"
        "\"sslClientCA\":{\"type\":\"string\",\"title\":\"Client certificate authority\","
        "\"description\":\"PEM file of the CA that signs client certificates; when set, https "
        "clients without a certificate it signed are refused.\"},"
        "\"webhookBearerToken\":{\"type\":\"string\",\"title\":\"Bearer token\",\"description\":"
        "\"When set, webhook requests must carry Authorization: Bearer <token>.\"},"
        "\"webhookBearerTokenFile\":{\"type\":\"string\",\"title\":\"Bearer token file\","
        "\"description\":\"File holding the bearer token (instead of webhookBearerToken).\"},"
        "\"maxEventSize\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Maximum event size\","
        "\"description\":\"Largest audit event kept, in bytes; larger ones are dropped and "
        "counted.\",\"default\":262144},"
        "\"webhookMaxBatchSize\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Maximum request "
        "size\",\"description\":\"Largest webhook request body, in bytes; larger requests get "
        "413.\",\"default\":12582912},"
        "\"webhookQueueMaxEvents\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Queue size "
        "in events\",\"description\":\"Events accepted but not yet read by the engine; a request "
        "that does not fit gets 503.\",\"default\":100000},"
        "\"webhookQueueMaxBytes\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Queue size in "
        "bytes\",\"default\":268435456},"
        "\"webhookMaxInflightBytes\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Request "
        "bodies in flight\",\"description\":\"Bytes of request bodies being received at once, "
        "over all connections; beyond it requests get 503.\",\"default\":268435456},"
        "\"webhookMaxConnections\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Maximum "
        "connections\",\"default\":256},"
        "\"webhookThreads\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":64,\"title\":\"Server "
        "threads\",\"default\":2},"
        "\"webhookTimeoutSeconds\":{\"type\":\"integer\",\"minimum\":1,\"title\":\"Idle "
        "timeout\",\"description\":\"Seconds a connection may stay silent before it is "
        "closed.\",\"default\":30},"
        "\"useAsync\":{\"type\":\"boolean\",\"title\":\"Use async extraction\",\"description\":"
        "\"Accepted for compatibility; no effect.\",\"default\":true}}}";

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d != NULL) {
        memcpy(d, s, n);
    }
    return d;
}

static int get_u64(const cJSON *root,
                   const char *key,
                   uint64_t min,
                   uint64_t max,
                   uint64_t *out,
                   struct saker_errbuf *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    double d;

    if (v == NULL) {
        return 0;
    }
    d = v->valuedouble;
    if (!cJSON_IsNumber(v) || d != floor(d) || d < (double)min || d > (double)max) {
        saker_err(err,
                  "init config key \"%s\" must be an integer from %llu to %llu: fix it in "
                  "init_config or remove it to use the default",
                  key, (unsigned long long)min, (unsigned long long)max);
        return -1;
    }
    *out = (uint64_t)d;
    return 0;
}

static int get_str(const cJSON *root, const char *key, char **out, struct saker_errbuf *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    char *d;

    if (v == NULL) {
        return 0;
    }
    if (!cJSON_IsString(v)) {
        saker_err(err, "init config key \"%s\" must be a string", key);
        return -1;
    }
    d = dup_str(v->valuestring);
    if (d == NULL) {
        saker_err(err, "out of memory reading init config");
        return -1;
    }
    free(*out);
    *out = d;
    return 0;
}

/* Reads a token file; a single trailing newline is not part of the token. */
static int read_token(const char *path, char **out, struct saker_errbuf *err)
{
    char buf[4096];
    size_t n;
    FILE *fp = fopen(path, "r");

    if (fp == NULL) {
        saker_err(err, "cannot read webhookBearerTokenFile %s: %s", path, strerror(errno));
        return -1;
    }
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    fclose(fp);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        n--;
    }
    buf[n] = '\0';
    if (n == 0) {
        saker_err(err, "webhookBearerTokenFile %s is empty: put the token in it", path);
        return -1;
    }
    free(*out);
    *out = dup_str(buf);
    if (*out == NULL) {
        saker_err(err, "out of memory reading init config");
        return -1;
    }
    return 0;
}

int k8s_config_parse(struct k8s_config *cfg, const char *text, struct saker_errbuf *err)
{
    cJSON *root = NULL;
    char *token_file = NULL;
    uint64_t v;
    const cJSON *b;
    int rc = -1;

    memset(cfg, 0, sizeof(*cfg));
    cfg->ssl_certificate = dup_str(DEFAULT_CERT);
    cfg->max_event_size = 262144;
    cfg->max_batch_size = 12 * 1024 * 1024;
    cfg->queue_max_events = 100000;
    cfg->queue_max_bytes = 256u * 1024 * 1024;
    cfg->max_inflight_bytes = 256u * 1024 * 1024;
    cfg->max_connections = 256;
    cfg->threads = 2;
    cfg->timeout_s = 30;
    if (cfg->ssl_certificate == NULL) {
        saker_err(err, "out of memory reading init config");
        return -1;
    }
    if (text == NULL || text[0] == '\0') {
        return 0;
    }
    root = cJSON_Parse(text);
    if (!cJSON_IsObject(root)) {
        saker_err(err, "init config is not a JSON object: write it as {\"maxEventSize\": "
                       "262144, ...} or leave it empty for the defaults");
        goto out;
    }
    b = cJSON_GetObjectItemCaseSensitive(root, "useAsync");
    if (b != NULL && !cJSON_IsBool(b)) {
        saker_err(err, "init config key \"useAsync\" must be true or false");
        goto out;
    }
    if (get_str(root, "sslCertificate", &cfg->ssl_certificate, err) < 0 ||
        get_str(root, "sslPrivateKey", &cfg->ssl_private_key, err) < 0 ||
        get_str(root, "sslClientCA", &cfg->ssl_client_ca, err) < 0 ||
        get_str(root, "webhookBearerToken", &cfg->bearer_token, err) < 0 ||
        get_str(root, "webhookBearerTokenFile", &token_file, err) < 0 ||
        get_u64(root, "maxEventSize", 1, UINT32_MAX - 64, &cfg->max_event_size, err) < 0 ||
        get_u64(root, "webhookMaxBatchSize", 1, 1ull << 32, &cfg->max_batch_size, err) < 0 ||
        get_u64(root, "webhookQueueMaxEvents", 1, 1ull << 32, &cfg->queue_max_events, err) < 0 ||
        get_u64(root, "webhookQueueMaxBytes", 1, 1ull << 40, &cfg->queue_max_bytes, err) < 0 ||
        get_u64(root, "webhookMaxInflightBytes", 1, 1ull << 40, &cfg->max_inflight_bytes, err) <
                0) {
        goto out;
    }
    v = cfg->max_connections;
    if (get_u64(root, "webhookMaxConnections", 1, 65536, &v, err) < 0) {
        goto out;
    }
    cfg->max_connections = (uint32_t)v;
    v = cfg->threads;
    if (get_u64(root, "webhookThreads", 1, 64, &v, err) < 0) {
        goto out;
    }
    cfg->threads = (uint32_t)v;
    v = cfg->timeout_s;
    if (get_u64(root, "webhookTimeoutSeconds", 1, 86400, &v, err) < 0) {
        goto out;
    }
    cfg->timeout_s = (uint32_t)v;
    if (token_file != NULL) {
        if (cfg->bearer_token != NULL) {
            saker_err(err, "init config sets both webhookBearerToken and webhookBearerTokenFile: "
                           "keep one");
            goto out;
        }
        if (read_token(token_file, &cfg->bearer_token, err) < 0) {
            goto out;
        }
    }
    if (cfg->bearer_token != NULL && cfg->bearer_token[0] == '\0') {
        saker_err(err, "init config key \"webhookBearerToken\" is empty: set a token or remove "
                       "the key");
        goto out;
    }
    rc = 0;
out:
    free(token_file);
    cJSON_Delete(root);
    return rc;
}

void k8s_config_fini(struct k8s_config *cfg)
{
    free(cfg->ssl_certificate);
    free(cfg->ssl_private_key);
    free(cfg->ssl_client_ca);
    free(cfg->bearer_token);
    memset(cfg, 0, sizeof(*cfg));
}
