/* SPDX-License-Identifier: Apache-2.0 */
/* Plugin states: init with a checked config, owner services, event-type filters. */
#include "plugin/plugin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

const char *skr_plugin_owner_last_error(ss_plugin_owner_t *o)
{
    struct skr_plugin_inst *inst = o;

    return inst->owner_err[0] != '\0' ? inst->owner_err : NULL;
}

static void owner_log(ss_plugin_owner_t *o,
                      const char *component,
                      const char *msg,
                      ss_plugin_log_severity sev)
{
    struct skr_plugin_inst *inst = o;
    enum skr_log_level level;
    char comp[256];

    switch (sev) {
    case SS_PLUGIN_LOG_SEV_FATAL:
    case SS_PLUGIN_LOG_SEV_CRITICAL:
        level = SKR_LOG_CRIT;
        break;
    case SS_PLUGIN_LOG_SEV_ERROR:
        level = SKR_LOG_ERR;
        break;
    case SS_PLUGIN_LOG_SEV_WARNING:
        level = SKR_LOG_WARNING;
        break;
    case SS_PLUGIN_LOG_SEV_NOTICE:
        level = SKR_LOG_NOTICE;
        break;
    case SS_PLUGIN_LOG_SEV_INFO:
        level = SKR_LOG_INFO;
        break;
    default:
        level = SKR_LOG_DEBUG;
        break;
    }
    if (component != NULL && component[0] != '\0' && strcmp(component, inst->p->name) != 0) {
        skr_fmt(comp, sizeof(comp), "%s/%s", inst->p->name, component);
    } else {
        skr_fmt(comp, sizeof(comp), "%s", inst->p->name);
    }
    skr_log(level, comp, "%s", msg ? msg : "");
}

ss_plugin_rc skr_plugin_async_handler(ss_plugin_owner_t *o, const ss_plugin_event *evt, char *err)
{
    struct skr_plugin_inst *inst = o;

    if (inst == NULL || inst->async_fn == NULL) {
        if (err != NULL) {
            skr_fmt(err, PLUGIN_MAX_ERRLEN, "the host does not accept async events now");
        }
        return SS_PLUGIN_FAILURE;
    }
    return inst->async_fn(inst->async_user, inst, evt, err);
}

/* Plugins that can see syscall events get every code by default, others only 322 (Falco). */
static bool sees_syscall(const struct skr_srcset *s)
{
    if (s->n == 0) {
        return true;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], "syscall") == 0) {
            return true;
        }
    }
    return false;
}

static int type_filter(struct skr_plugin_inst *inst,
                       uint16_t *(*fn)(uint32_t *numtypes, ss_plugin_t *s),
                       const struct skr_srcset *set,
                       bool *all,
                       uint8_t **bm)
{
    uint32_t n = 0;
    uint16_t *codes = fn != NULL ? fn(&n, inst->state) : NULL;

    *bm = calloc(65536 / 8, 1);
    if (*bm == NULL) {
        return -ENOMEM;
    }
    if (codes != NULL && n > 0) {
        for (uint32_t i = 0; i < n; i++) {
            skr_bitmap_set(*bm, codes[i]);
        }
        *all = false;
        return 0;
    }
    if (sees_syscall(set)) {
        *all = true;
    } else {
        *all = false;
        skr_bitmap_set(*bm, PPME_PLUGINEVENT_E);
    }
    return 0;
}

int skr_plugin_inst_init(struct skr_plugin_inst *inst,
                         struct skr_plugin *p,
                         const char *config,
                         struct skr_tables *tables,
                         struct skr_err *err)
{
    ss_plugin_init_input in;
    ss_plugin_rc rc = SS_PLUGIN_FAILURE;
    const char *cfg = config ? config : "";
    int ret;

    memset(inst, 0, sizeof(*inst));
    inst->p = p;
    inst->tables = tables;
    if (p->init_schema != NULL) {
        if (cfg[0] == '\0') {
            cfg = "{}";
        }
        if ((ret = skr_json_schema_validate(p->init_schema, cfg, err)) < 0) {
            return skr_err_prefix(err, "plugin '%s'", p->name);
        }
    }
    inst->config_owned = strdup(cfg);
    if (inst->config_owned == NULL) {
        return skr_err_set(err, -ENOMEM, "plugin '%s': out of memory", p->name);
    }
    inst->config = inst->config_owned;
    memset(&in, 0, sizeof(in));
    in.config = inst->config;
    in.owner = inst;
    in.get_owner_last_error = skr_plugin_owner_last_error;
    in.log_fn = owner_log;
    if (tables != NULL && (p->caps & (SKR_CAP_PARSING | SKR_CAP_EXTRACTION))) {
        in.tables = skr_tables_init_input(tables);
    }
    inst->state = p->vt.api.init(&in, &rc);
    if (rc != SS_PLUGIN_SUCCESS) {
        const char *msg = inst->state != NULL ? p->vt.api.get_last_error(inst->state) : NULL;
        skr_err_set(err, -EINVAL, "plugin '%s': plugin_init failed: %s", p->name,
                    msg != NULL && msg[0] != '\0' ? msg : "(the plugin gave no reason)");
        if (inst->state != NULL) {
            p->vt.api.destroy(inst->state);
            inst->state = NULL;
        }
        free(inst->config_owned);
        inst->config_owned = NULL;
        return -EINVAL;
    }
    if (inst->state == NULL) {
        /* SUCCESS with no state: Falco accepts it; calls then get NULL. */
        skr_log(SKR_LOG_DEBUG, p->name, "plugin_init returned no state");
    }
    if ((p->caps & SKR_CAP_EXTRACTION) &&
        type_filter(inst, p->vt.api.get_extract_event_types, &p->extract_sources,
                    &inst->extract_all, &inst->extract_types) < 0) {
        skr_plugin_inst_fini(inst);
        return skr_err_set(err, -ENOMEM, "plugin '%s': out of memory", p->name);
    }
    inst->extract_event_lifetime =
            (p->caps & SKR_CAP_EXTRACTION) && p->vt.get_extract_lifetime != NULL &&
            p->vt.get_extract_lifetime(inst->state) == SAKER_EXTRACT_LIFETIME_EVENT;
    if ((p->caps & SKR_CAP_PARSING) &&
        type_filter(inst, p->vt.api.get_parse_event_types, &p->parse_sources, &inst->parse_all,
                    &inst->parse_types) < 0) {
        skr_plugin_inst_fini(inst);
        return skr_err_set(err, -ENOMEM, "plugin '%s': out of memory", p->name);
    }
    return 0;
}

void skr_plugin_inst_fini(struct skr_plugin_inst *inst)
{
    if (inst == NULL || inst->p == NULL) {
        return;
    }
    if (inst->state != NULL) {
        inst->p->vt.api.destroy(inst->state);
        inst->state = NULL;
    }
    free(inst->extract_types);
    free(inst->parse_types);
    free(inst->config_owned);
    inst->extract_types = NULL;
    inst->parse_types = NULL;
    inst->config_owned = NULL;
    inst->config = NULL;
}

const char *skr_plugin_inst_last_error(const struct skr_plugin_inst *inst)
{
    const char *s = NULL;

    if (inst->state != NULL && inst->p->vt.api.get_last_error != NULL) {
        s = inst->p->vt.api.get_last_error(inst->state);
    }
    return s != NULL && s[0] != '\0' ? s : "(the plugin gave no reason)";
}
