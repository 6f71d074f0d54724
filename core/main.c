/* SPDX-License-Identifier: Apache-2.0 */
/* saker: arguments -> configuration -> run -> exit code. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/pipeline.h"
#include "ruletest/ruletest.h"

/* The shipped saker.yaml, embedded at build time (saker_default_config.c). */
extern const char skr_default_config[];
extern const size_t skr_default_config_len;

static void usage(FILE *f)
{
    fputs("Usage: saker [OPTIONS]\n"
          "       saker test [OPTIONS] FILE...   run rule tests (saker test --help)\n"
          "\n"
          "Runtime security engine: reads events from source plugins, evaluates Falco rules,\n"
          "sends alerts to sink plugins.\n"
          "\n"
          "  -c FILE              configuration file (default /etc/saker/saker.yaml when it\n"
          "                       exists, else the built-in default configuration)\n"
          "  -o KEY=VALUE         override a configuration key (dotted path, [N] list index);\n"
          "                       repeatable. -o json selects JSON output for --list,\n"
          "                       --list-plugins, --list-config, -V and --version\n"
          "  -r FILE              rules file or directory, instead of rules_files; repeatable\n"
          "  -V FILE...           validate rules files against the configured plugins and exit\n"
          "  -e FILE              replay a capture file instead of opening the sources\n"
          "  -w FILE              write every event of every source to a capture file\n"
          "  --list [SOURCE]      list the fields (and event types) of every source, or one\n"
          "  --list-plugins       list the configured plugins and their capabilities\n"
          "  --list-config        list every configuration key with its default\n"
          "  --check-config[=FILE] check that a configuration file (default: the built-in one)\n"
          "                       states every option with its default\n"
          "  --dry-run            load configuration, plugins, rules and outputs, then exit\n"
          "  --version            print the Saker, plugin API and rule engine versions\n"
          "  -h, --help           print this help\n",
          f);
}

struct strv {
    const char **v;
    size_t n;
};

static int push(struct strv *s, const char *x)
{
    const char **nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

    if (nv == NULL) {
        return -1;
    }
    nv[s->n++] = x;
    s->v = nv;
    return 0;
}

enum {
    OPT_LIST = 1000,
    OPT_LIST_PLUGINS,
    OPT_LIST_CONFIG,
    OPT_CHECK_CONFIG,
    OPT_DRY_RUN,
    OPT_VERSION,
};

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "list", optional_argument, NULL, OPT_LIST },
        { "list-plugins", no_argument, NULL, OPT_LIST_PLUGINS },
        { "list-config", no_argument, NULL, OPT_LIST_CONFIG },
        { "check-config", optional_argument, NULL, OPT_CHECK_CONFIG },
        { "dry-run", no_argument, NULL, OPT_DRY_RUN },
        { "version", no_argument, NULL, OPT_VERSION },
        { "help", no_argument, NULL, 'h' },
        { "option", required_argument, NULL, 'o' },
        { "validate", required_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct skr_app_opts o;
    struct strv overrides = { 0 };
    struct strv rules = { 0 };
    struct strv validate = { 0 };
    const char *list_source = NULL;
    const char *check_path = NULL;
    bool list = false;
    bool list_plugins = false;
    bool list_config = false;
    bool check_config = false;
    bool version = false;
    int code = 1;
    int c;

    memset(&o, 0, sizeof(o));
    o.default_text = skr_default_config;
    o.default_len = skr_default_config_len;
    if (argc > 1 && strcmp(argv[1], "test") == 0) {
        return skr_ruletest_main(argc - 1, argv + 1);
    }
    if (argc > 1 && argv[1][0] != '-') {
        fprintf(stderr, "saker: unknown command '%s' (see saker --help)\n", argv[1]);
        return 1;
    }
    while ((c = getopt_long(argc, argv, "c:o:r:V:e:w:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o.config_path = optarg;
            break;
        case 'o':
            if (strcmp(optarg, "json") == 0) {
                o.json = true;
            } else if (strchr(optarg, '=') == NULL) {
                fprintf(stderr,
                        "saker: -o %s: expected key=value (e.g. -o json_output=true), or -o json\n",
                        optarg);
                goto out;
            } else if (push(&overrides, optarg) < 0) {
                goto oom;
            }
            break;
        case 'r':
            if (push(&rules, optarg) < 0) {
                goto oom;
            }
            break;
        case 'V':
            if (push(&validate, optarg) < 0) {
                goto oom;
            }
            break;
        case 'e':
            o.capture_read = optarg;
            break;
        case 'w':
            o.capture_write = optarg;
            break;
        case OPT_LIST:
            list = true;
            list_source = optarg;
            if (list_source == NULL && optind < argc && argv[optind][0] != '-') {
                list_source = argv[optind++];
            }
            break;
        case OPT_LIST_PLUGINS:
            list_plugins = true;
            break;
        case OPT_LIST_CONFIG:
            list_config = true;
            break;
        case OPT_CHECK_CONFIG:
            check_config = true;
            check_path = optarg;
            break;
        case OPT_DRY_RUN:
            o.dry_run = true;
            break;
        case OPT_VERSION:
            version = true;
            break;
        case 'h':
            usage(stdout);
            code = 0;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
    }
    for (; optind < argc; optind++) {
        /* -V FILE1 FILE2 ...: the files after -V */
        if (validate.n == 0) {
            fprintf(stderr, "saker: unexpected argument '%s' (see saker --help)\n", argv[optind]);
            goto out;
        }
        if (push(&validate, argv[optind]) < 0) {
            goto oom;
        }
    }
    o.overrides = overrides.v;
    o.num_overrides = overrides.n;
    o.rules = rules.v;
    o.num_rules = rules.n;
    if (version) {
        code = skr_app_version(&o);
    } else if (list_config) {
        code = skr_app_list_config(&o);
    } else if (check_config) {
        code = skr_app_check_config(check_path, skr_default_config, skr_default_config_len);
    } else if (list) {
        code = skr_app_list_fields(&o, list_source);
    } else if (list_plugins) {
        code = skr_app_list_plugins(&o);
    } else if (validate.n > 0) {
        code = skr_app_validate(&o, validate.v, validate.n);
    } else {
        code = skr_app_run(&o);
    }
    goto out;
oom:
    fprintf(stderr, "saker: out of memory\n");
out:
    free(overrides.v);
    free(rules.v);
    free(validate.v);
    return code;
}
