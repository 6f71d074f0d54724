/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every case of the corpus' cloudtrail/record_split_cases.json through the
 * cloudtrail plugin's record splitter: the records' bytes must be exactly the
 * expected ones. Exits 0 when all pass, 1 on a failure, 77 (skip) when the
 * corpus is absent outside CI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloudtrail.h"

static int skip_or_fail(const char *why)
{
    const char *ci = getenv("CI");
    bool in_ci = ci != NULL && (strcmp(ci, "true") == 0 || strcmp(ci, "1") == 0);

    printf("%s: %s\n", in_ci ? "FAIL (CI=true forbids skipping)" : "SKIP", why);
    return in_ci ? 1 : 77;
}

int main(void)
{
    const char *base = getenv("SAKER_CORPUS_DIR");
    char path[4096];
    FILE *fp;
    char *text;
    long n;
    cJSON *doc;
    const cJSON *cases;
    struct ct_spans sp = { 0 };
    int passed = 0, failed = 0;

    if (base == NULL) {
        return skip_or_fail("SAKER_CORPUS_DIR is not set (run through ctest)");
    }
    snprintf(path, sizeof(path), "%s/cloudtrail/record_split_cases.json", base);
    fp = fopen(path, "rb");
    if (fp == NULL) {
        return skip_or_fail("corpus file cloudtrail/record_split_cases.json not found");
    }
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    text = malloc((size_t)n + 1);
    if (text == NULL || fread(text, 1, (size_t)n, fp) != (size_t)n) {
        fclose(fp);
        printf("FAIL: cannot read %s\n", path);
        return 1;
    }
    fclose(fp);
    text[n] = '\0';
    doc = cJSON_Parse(text);
    cases = cJSON_GetObjectItemCaseSensitive(doc, "cases");
    if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0) {
        printf("FAIL: %s holds no cases\n", path);
        return 1;
    }
    for (const cJSON *c = cases->child; c != NULL; c = c->next) {
        const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
        const char *payload = cJSON_GetObjectItemCaseSensitive(c, "payload")->valuestring;
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "expected_records");
        size_t nwant = (size_t)cJSON_GetArraySize(want);
        bool ok = ct_split_records(payload, strlen(payload), &sp) == 0 && sp.n == nwant;
        size_t i = 0;

        for (const cJSON *w = want->child; ok && w != NULL; w = w->next, i++) {
            ok = sp.v[i].len == strlen(w->valuestring) &&
                 memcmp(payload + sp.v[i].off, w->valuestring, sp.v[i].len) == 0;
        }
        if (ok) {
            passed++;
        } else {
            failed++;
            printf("  FAIL: %s: got %zu records, want %zu\n", name, sp.n, nwant);
            for (size_t k = 0; k < sp.n; k++) {
                printf("    got: %.*s\n", (int)sp.v[k].len, payload + sp.v[k].off);
            }
        }
    }
    printf("record_split_cases: %d/%d passed\n", passed, passed + failed);
    free(sp.v);
    cJSON_Delete(doc);
    free(text);
    return failed == 0 ? 0 : 1;
}
