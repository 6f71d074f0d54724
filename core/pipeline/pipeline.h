/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The saker application: what each command line mode does, from a loaded
 * configuration to an exit code. main.c parses the arguments into struct
 * skr_app_opts and calls one of these; each returns the process exit code
 * (0 success, 1 failure) and prints its own errors.
 */
#ifndef SKR_PIPELINE_PIPELINE_H
#define SKR_PIPELINE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

struct skr_app_opts {
    const char *config_path;  /* -c FILE; NULL: /etc/saker/saker.yaml, else the embedded one */
    const char *default_text; /* the embedded saker.yaml */
    size_t default_len;
    const char *const *overrides; /* -o key=value */
    size_t num_overrides;
    const char *const *rules; /* -r FILE (replaces rules_files) */
    size_t num_rules;
    const char *capture_write; /* -w FILE */
    const char *capture_read;  /* -e FILE */
    bool dry_run;              /* --dry-run */
    bool json;                 /* -o json */
};

/* Runs the engine until every source ends or SIGINT/SIGTERM (live, or replay with -e). */
int skr_app_run(const struct skr_app_opts *o);

/* --list [SOURCE]: the fields (and event types) of every source, or of one. */
int skr_app_list_fields(const struct skr_app_opts *o, const char *source);

/* --list-plugins: the loaded plugins and their capabilities. */
int skr_app_list_plugins(const struct skr_app_opts *o);

/* -V FILE...: loads the rules files against the configured plugins and prints the result. */
int skr_app_validate(const struct skr_app_opts *o, const char *const *files, size_t n);

/* --version. */
int skr_app_version(const struct skr_app_opts *o);

/* --list-config: every configuration key with its type, default and description. */
int skr_app_list_config(const struct skr_app_opts *o);

/* --check-config[=FILE]: compares a configuration file (NULL: text[0..len), the embedded one)
 * with the built-in defaults; 0 when every option is stated with its default. */
int skr_app_check_config(const char *path, const char *text, size_t len);

#endif /* SKR_PIPELINE_PIPELINE_H */
