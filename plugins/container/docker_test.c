/* SPDX-License-Identifier: Apache-2.0 */
/* Docker Engine API responses (container and image inspect, list, events) into container info. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <cmocka.h>

#include "docker.h"

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", CTR_TEST_DATA, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void container_inspect(void **state)
{
    size_t len;
    char *json = slurp("docker_container.json", &len);
    struct ctr_docker_followup next;
    char err[256];
    struct ctr_info *info =
            ctr_docker_parse_container(json, len, CTR_TYPE_DOCKER, 100, &next, err, sizeof(err));

    assert_non_null(info);
    assert_int_equal(ctr_info_finish(info), 0);
    assert_string_equal(info->id, "3ad7b26ded6d");
    assert_string_equal(info->full_id,
                        "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e");
    assert_string_equal(info->name, "web");
    assert_int_equal(info->type, CTR_TYPE_DOCKER);
    assert_string_equal(info->image, "docker.io/library/nginx:1.25");
    assert_string_equal(info->imagerepo, "docker.io/library/nginx");
    assert_string_equal(info->imagetag, "1.25");
    assert_string_equal(info->imageid,
                        "6f7e2741b66b1f5d0e5b0f4f2b57cb3b0c5fdfbd5a2f5a8f3a1a1f1e5d8a0c11");
    assert_string_equal(next.image_id,
                        "sha256:6f7e2741b66b1f5d0e5b0f4f2b57cb3b0c5fdfbd5a2f5a8f3a1a1f1e5d8a0c11");
    assert_string_equal(next.net_container, "");
    assert_string_equal(info->user, "www-data");
    assert_string_equal(info->ip, "172.17.0.2");
    assert_true(info->privileged);
    assert_true(info->host_ipc);
    assert_false(info->host_pid);
    assert_false(info->host_network);
    assert_int_equal(info->memory_limit, 536870912);
    assert_int_equal(info->cpu_shares, 512);
    assert_int_equal(info->cpu_period, 100000); /* 0 means the default */
    assert_int_equal(info->cpu_quota, 50000);
    assert_int_equal(info->cpuset_cpu_count, 4);
    assert_int_equal(info->created_time, 1714558830);
    assert_int_equal(info->size, 1234);
    /* the 120-character label is over label_max_len */
    assert_int_equal(info->n_labels, 5);
    assert_null(ctr_kv_get(info->labels, info->n_labels, "huge"));
    assert_string_equal(ctr_kv_get(info->labels, info->n_labels, "io.kubernetes.pod.namespace"),
                        "prod");
    assert_string_equal(info->mounts_str,
                        "/srv/data:/data:rw:true:rprivate,/var/lib/docker/volumes/cache/_data:"
                        "/cache:z:false:");
    /* TCP bindings with an IPv4 host address only */
    assert_int_equal(info->n_ports, 1);
    assert_int_equal(info->ports[0].container_port, 80);
    assert_int_equal(info->ports[0].host_port, 8080);
    assert_int_equal(info->n_env, 2);
    assert_true(info->probes[CTR_PROBE_HEALTHCHECK].present);
    assert_string_equal(info->probes[CTR_PROBE_HEALTHCHECK].exe, "/bin/sh");
    assert_int_equal(info->probes[CTR_PROBE_HEALTHCHECK].n_args, 2);
    assert_string_equal(info->probes[CTR_PROBE_HEALTHCHECK].args[1],
                        "curl -f http://localhost/ || exit 1");
    ctr_info_unref(info);
    free(json);
}

static void image_inspect_names_repository_tag_digest(void **state)
{
    size_t len;
    char *json = slurp("docker_image.json", &len);
    struct ctr_info *info = ctr_info_new();

    assert_int_equal(ctr_info_set_str(&info->imagerepo, "docker.io/library/nginx"), 0);
    assert_int_equal(ctr_docker_apply_image(info, json, len), 0);
    assert_string_equal(info->imagerepo, "nginx");
    assert_string_equal(info->imagetag, "1.25");
    assert_string_equal(info->imagedigest,
                        "sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27");
    assert_int_equal(ctr_docker_apply_image(info, "nope", 4), -EINVAL);
    /* an image without names keeps what the container's image name gave */
    {
        const char *tags = "{\"RepoTags\":[\"reg:5000/a:1\"]}";
        assert_int_equal(ctr_docker_apply_image(info, tags, strlen(tags)), 0);
    }
    assert_string_equal(info->imagerepo, "nginx");
    ctr_info_unref(info);
    free(json);
}

static void shared_network_and_podman_image_id(void **state)
{
    const char *json = "{\"Id\":\"0123456789abcdef\",\"Name\":\"k8s_POD_web\",\"Image\":\"beef\","
                       "\"Config\":{\"Image\":\"registry:5000/pause\"},"
                       "\"HostConfig\":{\"NetworkMode\":\"container:fedcba987654\"},"
                       "\"NetworkSettings\":{\"IPAddress\":\"\"}}";
    struct ctr_docker_followup next;
    char err[256];
    struct ctr_info *info = ctr_docker_parse_container(json, strlen(json), CTR_TYPE_PODMAN, 100,
                                                       &next, err, sizeof(err));

    assert_non_null(info);
    assert_string_equal(info->id, "0123456789ab");
    assert_string_equal(info->name, "k8s_POD_web");
    assert_true(info->is_pod_sandbox);
    assert_string_equal(info->imageid, "beef");
    assert_string_equal(info->imagerepo, "registry:5000/pause");
    assert_string_equal(info->imagetag, "");
    assert_string_equal(next.net_container, "fedcba987654");
    assert_int_equal(info->created_time, 0);
    ctr_info_unref(info);
}

static void bad_inspect_responses(void **state)
{
    static const char *bad[] = { "", "null", "[]", "{}", "{\"Id\":\"short\"}", "{\"Id\":7}" };
    struct ctr_docker_followup next;
    char err[256];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        assert_null(ctr_docker_parse_container(bad[i], strlen(bad[i]), CTR_TYPE_DOCKER, 100, &next,
                                               err, sizeof(err)));
        assert_true(strlen(err) > 0);
    }
}

static void add_id(const char *id, void *arg)
{
    char *out = arg;
    size_t n = strlen(out);

    snprintf(out + n, 128 - n, "%.12s;", id);
}

static void container_list(void **state)
{
    const char *json = "[{\"Id\":\"aaaaaaaaaaaaaaaa\"},{\"Id\":\"x\"},{\"Names\":[]},"
                       "{\"Id\":\"bbbbbbbbbbbbbbbb\"},{\"Id\":\"cccccccccccccccc\"}]";
    char out[128] = "";

    assert_int_equal(ctr_docker_parse_list(json, strlen(json), 2, add_id, out), 2);
    assert_string_equal(out, "aaaaaaaaaaaa;bbbbbbbbbbbb;");
    assert_int_equal(ctr_docker_parse_list("{}", 2, 10, add_id, out), -EINVAL);
}

static void events(void **state)
{
    char id[80];
    char image[80];
    const char *create = "{\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{\"ID\":"
                         "\"abc\",\"Attributes\":{\"image\":\"nginx\"}}}";
    const char *destroy = "{\"status\":\"destroy\",\"id\":\"def\"}";
    const char *net = "{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{\"ID\":\"n\"}}";

    assert_int_equal(
            ctr_docker_parse_event(create, strlen(create), id, sizeof(id), image, sizeof(image)),
            CTR_DOCKER_ACTION_CREATE);
    assert_string_equal(id, "abc");
    assert_string_equal(image, "nginx");
    assert_int_equal(
            ctr_docker_parse_event(destroy, strlen(destroy), id, sizeof(id), image, sizeof(image)),
            CTR_DOCKER_ACTION_DESTROY);
    assert_string_equal(id, "def");
    assert_int_equal(ctr_docker_parse_event(net, strlen(net), id, sizeof(id), image, sizeof(image)),
                     CTR_DOCKER_ACTION_OTHER);
    assert_int_equal(ctr_docker_parse_event("x", 1, id, sizeof(id), image, sizeof(image)), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(container_inspect),
        cmocka_unit_test(image_inspect_names_repository_tag_digest),
        cmocka_unit_test(shared_network_and_podman_image_id),
        cmocka_unit_test(bad_inspect_responses),
        cmocka_unit_test(container_list),
        cmocka_unit_test(events),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
