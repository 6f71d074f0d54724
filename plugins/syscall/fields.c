// SPDX-License-Identifier: Apache-2.0
/* The get_fields document, built once from the table in fields.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "evtab.h"
#include "fields.h"
#include "plugin.h"

struct fdef {
    const char *name, *type;
    uint32_t flags;
    enum skr_argform arg;
    const char *desc;
};

static const struct fdef g_fixed[] = {
#define SKR_FIELD_DEF(id, name, type, flags, arg, desc) { name, type, flags, arg, desc },
    SKR_FIELDS(SKR_FIELD_DEF)
#undef SKR_FIELD_DEF
};

_Static_assert(sizeof(g_fixed) / sizeof(g_fixed[0]) == F_NUM_FIXED, "one definition per field");

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static char *g_json;

uint32_t skr_num_param_names(void)
{
    uint32_t n = 0;

    while (skr_param_names[n].name) {
        n++;
    }
    return n;
}

/* The field type evt.rawarg.<name> has for a parameter of type pt. */
static const char *rawarg_type(uint8_t pt)
{
    switch (pt) {
    case SKR_PT_INT8:
        return "int8";
    case SKR_PT_INT16:
        return "int16";
    case SKR_PT_INT32:
        return "int32";
    case SKR_PT_INT64:
    case SKR_PT_ERRNO:
    case SKR_PT_FD:
    case SKR_PT_PID:
    case SKR_PT_FD32:
    case SKR_PT_PID32:
        return "int64";
    case SKR_PT_UINT8:
    case SKR_PT_FLAGS8:
    case SKR_PT_ENUMFLAGS8:
    case SKR_PT_SIGTYPE:
        return "uint8";
    case SKR_PT_UINT16:
    case SKR_PT_FLAGS16:
    case SKR_PT_ENUMFLAGS16:
    case SKR_PT_SYSCALLID:
        return "uint16";
    case SKR_PT_UINT32:
    case SKR_PT_FLAGS32:
    case SKR_PT_ENUMFLAGS32:
    case SKR_PT_UID:
    case SKR_PT_GID:
    case SKR_PT_MODE:
    case SKR_PT_SIGSET:
        return "uint32";
    case SKR_PT_UINT64:
        return "uint64";
    case SKR_PT_RELTIME:
        return "reltime";
    case SKR_PT_ABSTIME:
        return "abstime";
    case SKR_PT_PORT:
        return "port";
    case SKR_PT_BOOL:
        return "bool";
    case SKR_PT_DOUBLE:
        return "double";
    case SKR_PT_IPV4ADDR:
    case SKR_PT_IPV6ADDR:
        return "ipaddr";
    case SKR_PT_CHARBUF:
        return "string";
    case SKR_PT_FSPATH:
    case SKR_PT_FSRELPATH:
        return "fspath";
    default:
        return "bytebuf";
    }
}

static void add_arg(cJSON *o, enum skr_argform a)
{
    cJSON *arg;

    if (a == A_NONE) {
        return;
    }
    arg = cJSON_AddObjectToObject(o, "arg");
    switch (a) {
    case A_IDX:
        cJSON_AddBoolToObject(arg, "isIndex", 1);
        break;
    case A_KEY:
        cJSON_AddBoolToObject(arg, "isKey", 1);
        break;
    case A_IDX_KEY:
        cJSON_AddBoolToObject(arg, "isIndex", 1);
        cJSON_AddBoolToObject(arg, "isKey", 1);
        break;
    case A_REQ_IDX:
        cJSON_AddBoolToObject(arg, "isRequired", 1);
        cJSON_AddBoolToObject(arg, "isIndex", 1);
        break;
    case A_REQ_IDX_KEY:
        cJSON_AddBoolToObject(arg, "isRequired", 1);
        cJSON_AddBoolToObject(arg, "isIndex", 1);
        cJSON_AddBoolToObject(arg, "isKey", 1);
        break;
    case A_REQ_KEY:
        cJSON_AddBoolToObject(arg, "isRequired", 1);
        cJSON_AddBoolToObject(arg, "isKey", 1);
        break;
    case A_DOT_REQ:
        cJSON_AddBoolToObject(arg, "isRequired", 1);
        cJSON_AddBoolToObject(arg, "isKey", 1);
        cJSON_AddBoolToObject(arg, "isDotted", 1);
        break;
    case A_DOT_OPT:
        cJSON_AddBoolToObject(arg, "isKey", 1);
        cJSON_AddBoolToObject(arg, "isDotted", 1);
        break;
    default:
        break;
    }
}

static void add_props(cJSON *o, uint32_t flags)
{
    cJSON *p;

    if (flags & FL_LIST) {
        cJSON_AddBoolToObject(o, "isList", 1);
    }
    if (!(flags & (FL_FILTER_ONLY | FL_HIDDEN | FL_DEPRECATED | FL_NO_RHS | FL_PRINT_ONLY))) {
        return;
    }
    p = cJSON_AddArrayToObject(o, "properties");
    if (flags & FL_HIDDEN) {
        cJSON_AddItemToArray(p, cJSON_CreateString("hidden"));
    }
    if (flags & FL_FILTER_ONLY) {
        cJSON_AddItemToArray(p, cJSON_CreateString("filter_only"));
    }
    if (flags & FL_PRINT_ONLY) {
        cJSON_AddItemToArray(p, cJSON_CreateString("print_only"));
    }
    if (flags & FL_DEPRECATED) {
        cJSON_AddItemToArray(p, cJSON_CreateString("deprecated"));
    }
    if (flags & FL_NO_RHS) {
        cJSON_AddItemToArray(p, cJSON_CreateString("no_rhs"));
    }
}

static cJSON *field(cJSON *arr, const char *name, const char *type, const char *desc)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddStringToObject(o, "desc", desc);
    cJSON_AddItemToArray(arr, o);
    return o;
}

static void build(void)
{
    cJSON *arr = cJSON_CreateArray();
    char name[128], desc[160];

    if (!arr) {
        return;
    }
    for (size_t i = 0; i < F_NUM_FIXED; i++) {
        cJSON *o = field(arr, g_fixed[i].name, g_fixed[i].type, g_fixed[i].desc);
        add_arg(o, g_fixed[i].arg);
        add_props(o, g_fixed[i].flags);
    }
    for (const struct skr_param_name *p = skr_param_names; p->name; p++) {
        if (snprintf(name, sizeof(name), "evt.arg.%s", p->name) >= (int)sizeof(name) ||
            snprintf(desc, sizeof(desc), "Text of the parameter %s.", p->name) >=
                    (int)sizeof(desc)) {
            continue;
        }
        add_props(field(arr, name, "string", desc), FL_HIDDEN);
    }
    for (const struct skr_param_name *p = skr_param_names; p->name; p++) {
        if (snprintf(name, sizeof(name), "evt.rawarg.%s", p->name) >= (int)sizeof(name) ||
            snprintf(desc, sizeof(desc), "Raw value of the parameter %s.", p->name) >=
                    (int)sizeof(desc)) {
            continue;
        }
        add_props(field(arr, name, rawarg_type(p->type), desc), FL_HIDDEN | FL_NO_RHS);
    }
    g_json = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
}

const char *skr_fields_json(void)
{
    pthread_once(&g_once, build);
    return g_json ? g_json : "[]";
}

__attribute__((destructor)) static void free_json(void)
{
    free(g_json);
    g_json = NULL;
}
