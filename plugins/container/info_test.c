/* SPDX-License-Identifier: Apache-2.0 */
/* Container info: image names, rendering for extraction, the JSON payload both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hmap.h"
#include "info.h"
#include "matcher.h"

static void image_names_split_like_the_runtime(void **state)
{
    static const struct {
        const char *image, *repo, *tag, *digest;
    } cases[] = {
        { "nginx", "nginx", "", "" },
        { "nginx:1.25", "nginx", "1.25", "" },
        { "docker.io/library/nginx:1.25", "docker.io/library/nginx", "1.25", "" },
        { "registry:5000/team/app", "registry:5000/team/app", "", "" },
        { "registry:5000/team/app:2.1", "registry:5000/team/app", "2.1", "" },
        { "registry:5000/team/app:2.1@sha256:ab12", "registry:5000/team/app", "2.1",
          "sha256:ab12" },
        { "busybox@sha256:cd34", "busybox", "", "sha256:cd34" },
        { "", "", "", "" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *repo;
        char *tag;
        char *digest;
        assert_int_equal(ctr_image_split(cases[i].image, &repo, &tag, &digest), 0);
        assert_string_equal(repo, cases[i].repo);
        assert_string_equal(tag, cases[i].tag);
        assert_string_equal(digest, cases[i].digest);
        free(repo);
        free(tag);
        free(digest);
    }
}

static struct ctr_info *sample(void)
{
    struct ctr_info *info = ctr_info_new();

    assert_non_null(info);
    info->type = CTR_TYPE_PODMAN;
    assert_int_equal(ctr_info_set_str(&info->id, "0123456789ab"), 0);
    assert_int_equal(ctr_info_set_str(&info->name, "db"), 0);
    assert_int_equal(ctr_info_set_str(&info->image, "postgres:16"), 0);
    assert_int_equal(ctr_info_add_label(&info->labels, &info->n_labels, "z", "last"), 0);
    assert_int_equal(ctr_info_add_label(&info->labels, &info->n_labels, "a", ""), 0);
    assert_int_equal(ctr_info_add_label(&info->labels, &info->n_labels, "annotation.x", "1"), 0);
    assert_int_equal(
            ctr_info_add_label(&info->labels, &info->n_labels, "io.kubernetes.pod.name", "p"), 0);
    assert_int_equal(ctr_info_add_label(&info->labels, &info->n_labels, "z", "replaced"), 0);
    info->mounts = calloc(1, sizeof(*info->mounts));
    info->n_mounts = 1;
    assert_int_equal(ctr_info_set_str(&info->mounts[0].source, "/a"), 0);
    assert_int_equal(ctr_info_set_str(&info->mounts[0].dest, "/b"), 0);
    assert_int_equal(ctr_info_set_str(&info->mounts[0].mode, "ro"), 0);
    assert_int_equal(ctr_info_set_str(&info->mounts[0].propagation, "rslave"), 0);
    info->privileged = true;
    info->created_time = 1714558830;
    info->probes[CTR_PROBE_LIVENESS].present = true;
    assert_int_equal(ctr_info_set_str(&info->probes[CTR_PROBE_LIVENESS].exe, "/bin/check"), 0);
    assert_int_equal(ctr_info_finish(info), 0);
    return info;
}

static void labels_and_mounts_render_for_extraction(void **state)
{
    struct ctr_info *info = sample();

    /* sorted by key, annotations and io.kubernetes.* left out, empty values without colon */
    assert_string_equal(info->labels_str, "a, z:replaced");
    assert_string_equal(ctr_kv_get(info->labels, info->n_labels, "z"), "replaced");
    assert_null(ctr_kv_get(info->labels, info->n_labels, "missing"));
    assert_string_equal(info->mounts_str, "/a:/b:ro:false:rslave");
    assert_string_equal(info->pod_labels_str, "");
    ctr_info_unref(info);
}

static void json_round_trip(void **state)
{
    struct ctr_info *info = sample();
    char *json = ctr_info_to_json(info);
    char err[128];
    struct ctr_info *back;

    assert_non_null(json);
    assert_non_null(strstr(json, "{\"container\":{"));
    back = ctr_info_from_json(json, strlen(json), err, sizeof(err));
    assert_non_null(back);
    assert_string_equal(back->id, "0123456789ab");
    assert_int_equal(back->type, CTR_TYPE_PODMAN);
    assert_string_equal(back->name, "db");
    assert_string_equal(back->image, "postgres:16");
    assert_true(back->privileged);
    assert_int_equal(back->created_time, 1714558830);
    assert_int_equal(back->n_labels, 4);
    assert_string_equal(back->labels_str, "a, z:replaced");
    assert_string_equal(back->mounts_str, "/a:/b:ro:false:rslave");
    assert_true(back->probes[CTR_PROBE_LIVENESS].present);
    assert_string_equal(back->probes[CTR_PROBE_LIVENESS].exe, "/bin/check");
    assert_false(back->probes[CTR_PROBE_HEALTHCHECK].present);
    assert_int_equal(back->size, -1);
    ctr_info_unref(back);
    free(json);
    ctr_info_unref(info);
}

static void json_errors(void **state)
{
    static const char *bad[] = { "", "[]", "{\"container\":{\"name\":\"x\"}}", "{\"id\":7}",
                                 "{\"container\":" };
    char err[128];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_null(ctr_info_from_json(bad[i], strlen(bad[i]), err, sizeof(err)));
        assert_true(err[0] != '\0');
    }
    /* the flat form and null maps are tolerated; lengths bound the parse */
    {
        const char *flat = "{\"id\":\"abc\",\"labels\":null,\"Mounts\":null}garbage";
        struct ctr_info *info = ctr_info_from_json(flat, strlen(flat) - 7, err, sizeof(err));
        assert_non_null(info);
        assert_string_equal(info->id, "abc");
        assert_int_equal(info->n_labels, 0);
        ctr_info_unref(info);
    }
}

static void host_entry(void **state)
{
    struct ctr_info *h = ctr_info_new_host();

    assert_string_equal(h->id, "host");
    assert_string_equal(h->full_id, "host");
    assert_string_equal(h->name, "host");
    assert_string_equal(h->image, "");
    assert_int_equal(h->type, CTR_TYPE_HOST);
    assert_ptr_equal(ctr_info_ref(h), h);
    ctr_info_unref(h);
    ctr_info_unref(h);
    ctr_info_unref(NULL);
}

static int freed;

static void count_free(void *v)
{
    freed++;
    free(v);
}

static bool collect(const char *key, void *value, void *arg)
{
    char *out = arg;
    size_t n = strlen(out);

    snprintf(out + n, 64 - n, "%s", key);
    return true;
}

static void hmap_is_a_bounded_lru(void **state)
{
    struct ctr_hmap m;
    char order[64] = "";

    freed = 0;
    assert_int_equal(ctr_hmap_init(&m, 3, count_free), 0);
    assert_int_equal(ctr_hmap_put(&m, "a", 1, strdup("1")), 0);
    assert_int_equal(ctr_hmap_put(&m, "b", 1, strdup("2")), 0);
    assert_int_equal(ctr_hmap_put(&m, "c", 1, strdup("3")), 0);
    assert_non_null(ctr_hmap_touch(&m, "a", 1));                /* a is now the newest */
    assert_int_equal(ctr_hmap_put(&m, "d", 1, strdup("4")), 0); /* evicts b */
    assert_int_equal(m.count, 3);
    assert_int_equal(m.evictions, 1);
    assert_int_equal(freed, 1);
    assert_false(ctr_hmap_contains(&m, "b", 1));
    ctr_hmap_foreach(&m, collect, order);
    assert_string_equal(order, "cad");
    assert_int_equal(ctr_hmap_put(&m, "c", 1, strdup("5")), 0); /* replace frees the old */
    assert_int_equal(freed, 2);
    assert_string_equal(ctr_hmap_get(&m, "c", 1), "5");
    char *v = ctr_hmap_take(&m, "c", 1);
    assert_string_equal(v, "5");
    free(v);
    assert_true(ctr_hmap_erase(&m, "a", 1));
    assert_false(ctr_hmap_erase(&m, "a", 1));
    assert_int_equal(m.count, 1);
    ctr_hmap_fini(&m);
    assert_int_equal(freed, 4);
}

static void hmap_grows(void **state)
{
    struct ctr_hmap m;
    char key[16];

    assert_int_equal(ctr_hmap_init(&m, 0, NULL), 0);
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(ctr_hmap_put(&m, key, (size_t)n, (void *)(intptr_t)(i + 1)), 0);
    }
    assert_int_equal(m.count, 1000);
    assert_true(m.nbuckets >= 1000);
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal((intptr_t)ctr_hmap_get(&m, key, (size_t)n), i + 1);
    }
    ctr_hmap_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(image_names_split_like_the_runtime),
        cmocka_unit_test(labels_and_mounts_render_for_extraction),
        cmocka_unit_test(json_round_trip),
        cmocka_unit_test(json_errors),
        cmocka_unit_test(host_entry),
        cmocka_unit_test(hmap_is_a_bounded_lru),
        cmocka_unit_test(hmap_grows),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
