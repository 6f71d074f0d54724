/* SPDX-License-Identifier: Apache-2.0 */
/* Container ids from every runtime's cgroup path shape, and what is not a container. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "matcher.h"

#define ID64 "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e"
#define ALL                                                                           \
    (CTR_ENGINE_PODMAN | CTR_ENGINE_DOCKER | CTR_ENGINE_CRI | CTR_ENGINE_CONTAINERD | \
     CTR_ENGINE_LXC | CTR_ENGINE_LIBVIRT_LXC | CTR_ENGINE_BPM)

struct path_case {
    const char *path;
    const char *id;  /* NULL: no container */
    uint32_t engine; /* which matcher claims it */
};

static const struct path_case cases[] = {
    /* docker, cgroupfs and systemd drivers */
    { "/docker/" ID64, "3ad7b26ded6d", CTR_ENGINE_DOCKER },
    { "/system.slice/docker-" ID64 ".scope", "3ad7b26ded6d", CTR_ENGINE_DOCKER },
    /* podman */
    { "/machine.slice/libpod-" ID64 ".scope", "3ad7b26ded6d", CTR_ENGINE_PODMAN },
    { "/machine.slice/libpod-" ID64 ".scope/container", "3ad7b26ded6d", CTR_ENGINE_PODMAN },
    { "/libpod_parent/libpod-" ID64, "3ad7b26ded6d", CTR_ENGINE_PODMAN },
    { "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-payload-" ID64 ".scope",
      "3ad7b26ded6d", CTR_ENGINE_PODMAN },
    /* kubernetes: containerd and cri-o with systemd cgroups */
    { "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod7f1c7a2e_1111.slice/"
      "cri-containerd-" ID64 ".scope",
      "3ad7b26ded6d", CTR_ENGINE_CRI },
    { "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/crio-" ID64 ".scope",
      "3ad7b26ded6d", CTR_ENGINE_CRI },
    /* cgroupfs kubernetes paths end in the id: docker's (/, end) layout claims them first */
    { "/kubepods/burstable/pod7f1c7a2e-1111/" ID64, "3ad7b26ded6d", CTR_ENGINE_DOCKER },
    { "/kubepods/besteffort/pod1/crio-" ID64, "3ad7b26ded6d", CTR_ENGINE_CRI },
    { "/system.slice/containerd.service/kubepods-burstable-pod1.slice:cri-containerd:" ID64,
      "3ad7b26ded6d", CTR_ENGINE_CRI },
    { "/system.slice/nerdctl-" ID64 ".scope", "3ad7b26ded6d", CTR_ENGINE_CRI },
    /* containerd's own namespaces: short ids allowed, cut to 12 */
    { "/default/mycontainer", "mycontainer", CTR_ENGINE_CONTAINERD },
    { "/k8s.io/averyveryverylongname", "averyveryver", CTR_ENGINE_CONTAINERD },
    /* lxc, libvirt-lxc, bpm */
    { "/lxc/web1/init.scope", "web1", CTR_ENGINE_LXC },
    /* [quirk] containerd's matcher runs first and claims short /<name>/<id> paths */
    { "/lxc/web1", "web1", CTR_ENGINE_CONTAINERD },
    { "/machine/guest1.libvirt-lxc", "guest1.libvi", CTR_ENGINE_CONTAINERD },
    { "/libvirt/lxc/guest2", "lxc/guest2", CTR_ENGINE_CONTAINERD },
    { "/machine.slice/machine-lxc\\x2d42\\x2dvm.scope/libvirt", "machine-lxc\\",
      CTR_ENGINE_CONTAINERD },
    { "/lxc.payload/web2/init.scope", "web2", CTR_ENGINE_LXC },
    { "/lxc.payload.web3/system.slice", "web3", CTR_ENGINE_LXC },
    { "/machine.slice/machine-lxc\\x2d2293906\\x2dlibvirt\\x2dcontainer.scope",
      "2293906\\x2dlibvirt\\x2dcontainer", CTR_ENGINE_LIBVIRT_LXC },
    { "/guest1.libvirt-lxc", "guest1", CTR_ENGINE_LIBVIRT_LXC },
    { "/system.slice/bpm-job.web_1.scope", "job.web_1", CTR_ENGINE_BPM },
    /* host paths */
    { "/", NULL, 0 },
    { "/init.scope", NULL, 0 },
    { "/user.slice/user-1000.slice/session-3.scope", NULL, 0 },
    { "/system.slice/cron.service", NULL, 0 },
    { "/system.slice/containerd.service", NULL, 0 },
    { "/kubepods.slice/kubepods-besteffort.slice", NULL, 0 },
    { "", NULL, 0 },
    /* 65 characters: too long for an id */
    { "/docker/" ID64 "a", NULL, 0 },
    { "/system.slice/docker-.scope", NULL, 0 },
    { "/lxc/", NULL, 0 },
    { "/system.slice/bpm-bad$id.scope", NULL, 0 },
};

static void every_runtime_shape(void **state)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ctr_match m;
        bool ok = ctr_match_path(ALL, cases[i].path, strlen(cases[i].path), &m);
        if (cases[i].id == NULL) {
            if (ok) {
                fail_msg("%s: expected no container, got %s", cases[i].path, m.id);
            }
            continue;
        }
        if (!ok) {
            fail_msg("%s: expected %s, got no container", cases[i].path, cases[i].id);
        }
        if (strcmp(m.id, cases[i].id) != 0 || m.id_len != strlen(cases[i].id) ||
            m.engine != cases[i].engine) {
            fail_msg("%s: expected %s (engine %#x), got %s (engine %#x)", cases[i].path,
                     cases[i].id, cases[i].engine, m.id, m.engine);
        }
    }
}

/* The shapes containerd's matcher shadows, with it disabled. */
static void without_containerd(void **state)
{
    static const struct path_case more[] = {
        { "/lxc/web1", "web1", CTR_ENGINE_LXC },
        { "/machine/guest1.libvirt-lxc", "guest1", CTR_ENGINE_LIBVIRT_LXC },
        /* [quirk] the lxc matcher runs before libvirt-lxc and sees "/lxc/" */
        { "/libvirt/lxc/guest2", "guest2", CTR_ENGINE_LXC },
        { "/machine.slice/machine-lxc\\x2d42\\x2dvm.scope/libvirt", "42\\x2dvm",
          CTR_ENGINE_LIBVIRT_LXC },
        { "/default/mycontainer", NULL, 0 },
    };

    for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
        struct ctr_match m;
        bool ok = ctr_match_path(ALL & ~CTR_ENGINE_CONTAINERD, more[i].path, strlen(more[i].path),
                                 &m);
        if (more[i].id == NULL) {
            assert_false(ok);
            continue;
        }
        assert_true(ok);
        assert_string_equal(m.id, more[i].id);
        assert_int_equal(m.engine, more[i].engine);
        assert_true(m.has_info);
    }
}

static void hex_check_is_a_length_check_past_64(void **state)
{
    struct ctr_match m;
    /* 64 non-hex characters after a prefix that ends beyond index 64 still match (as upstream) */
    const char *p = "/a/very/long/prefix/to/push/the/id/past/index/sixty/four/docker-"
                    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.scope";
    /* ...but not when the id starts early in the path */
    const char *q = "/docker/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";

    assert_true(ctr_match_path(CTR_ENGINE_DOCKER, p, strlen(p), &m));
    assert_string_equal(m.id, "zzzzzzzzzzzz");
    assert_false(ctr_match_path(CTR_ENGINE_DOCKER, q, strlen(q), &m));
}

static void disabled_engines_do_not_match(void **state)
{
    struct ctr_match m;
    const char *p = "/system.slice/docker-" ID64 ".scope";

    assert_false(ctr_match_path(CTR_ENGINE_PODMAN, p, strlen(p), &m));
    assert_true(ctr_match_path(CTR_ENGINE_CRI, p, strlen(p), &m));
    assert_int_equal(m.engine, CTR_ENGINE_CRI);
    assert_false(ctr_match_path(0, p, strlen(p), &m));
}

static void cache_remembers_paths(void **state)
{
    struct ctr_matcher mt;
    const char *p = "/docker/" ID64;
    const struct ctr_match *m;

    assert_int_equal(ctr_matcher_init(&mt, ALL, NULL, 2), 0);
    m = ctr_matcher_match(&mt, p, strlen(p));
    assert_non_null(m);
    assert_string_equal(m->id, "3ad7b26ded6d");
    assert_int_equal(mt.misses, 1);
    m = ctr_matcher_match(&mt, p, strlen(p));
    assert_non_null(m);
    assert_int_equal(mt.hits, 1);
    assert_null(ctr_matcher_match(&mt, "/", 1));
    assert_null(ctr_matcher_match(&mt, "/", 1));
    assert_int_equal(mt.hits, 2);
    /* bounded: a third path evicts the least recently used */
    assert_null(ctr_matcher_match(&mt, "/init.scope", 11));
    assert_int_equal(mt.cache.count, 2);
    ctr_matcher_fini(&mt);
}

static void static_engine_claims_every_path(void **state)
{
    struct ctr_matcher mt;
    const struct ctr_match *m;

    assert_int_equal(ctr_matcher_init(&mt, CTR_ENGINE_STATIC, "edge1", 16), 0);
    m = ctr_matcher_match(&mt, "/", 1);
    assert_non_null(m);
    assert_string_equal(m->id, "edge1");
    assert_true(m->has_info);
    assert_int_equal(m->type, CTR_TYPE_STATIC);
    assert_null(ctr_matcher_match(&mt, "", 0));
    ctr_matcher_fini(&mt);
}

static void type_names(void **state)
{
    assert_string_equal(ctr_type_name(CTR_TYPE_DOCKER), "docker");
    assert_string_equal(ctr_type_name(CTR_TYPE_CRIO), "cri-o");
    assert_string_equal(ctr_type_name(CTR_TYPE_LIBVIRT_LXC), "libvirt-lxc");
    assert_string_equal(ctr_type_name(CTR_TYPE_PODMAN), "podman");
    assert_string_equal(ctr_type_name(CTR_TYPE_HOST), "host");
    assert_string_equal(ctr_type_name(CTR_TYPE_STATIC), "");
    assert_string_equal(ctr_type_name(CTR_TYPE_UNKNOWN), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_runtime_shape),
        cmocka_unit_test(without_containerd),
        cmocka_unit_test(hex_check_is_a_length_check_past_64),
        cmocka_unit_test(disabled_engines_do_not_match),
        cmocka_unit_test(cache_remembers_paths),
        cmocka_unit_test(static_engine_claims_every_path),
        cmocka_unit_test(type_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
