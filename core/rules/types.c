/* SPDX-License-Identifier: Apache-2.0 */
/* Field types, their comparison classes and names; rule priorities. */
#include <strings.h>

#include "rules/rules_int.h"

static const struct {
    uint32_t type;
    const char *name;
    enum skr_cls cls;
} types[] = {
    { SKR_FT_INT8, "int8", SKR_CLS_S64 },       { SKR_FT_INT16, "int16", SKR_CLS_S64 },
    { SKR_FT_INT32, "int32", SKR_CLS_S64 },     { SKR_FT_INT64, "int64", SKR_CLS_S64 },
    { SKR_FT_UINT8, "uint8", SKR_CLS_U64 },     { SKR_FT_UINT16, "uint16", SKR_CLS_U64 },
    { SKR_FT_UINT32, "uint32", SKR_CLS_U64 },   { SKR_FT_UINT64, "uint64", SKR_CLS_U64 },
    { SKR_FT_STRING, "string", SKR_CLS_STR },   { SKR_FT_BYTEBUF, "bytebuf", SKR_CLS_BUF },
    { SKR_FT_FSPATH, "fspath", SKR_CLS_STR },   { SKR_FT_RELTIME, "reltime", SKR_CLS_U64 },
    { SKR_FT_ABSTIME, "abstime", SKR_CLS_U64 }, { SKR_FT_PORT, "port", SKR_CLS_U64 },
    { SKR_FT_BOOL, "bool", SKR_CLS_BOOL },      { SKR_FT_DOUBLE, "double", SKR_CLS_DBL },
    { SKR_FT_IPADDR, "ipaddr", SKR_CLS_IP },    { SKR_FT_IPNET, "ipnet", SKR_CLS_NET },
};

enum skr_cls skr_type_class(uint32_t type)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (types[i].type == type) {
            return types[i].cls;
        }
    }
    return SKR_CLS_NONE;
}

const char *skr_type_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (types[i].type == type) {
            return types[i].name;
        }
    }
    return "unknown";
}

uint32_t skr_type_parse(const char *name)
{
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcasecmp(types[i].name, name) == 0) {
            return types[i].type;
        }
    }
    if (strcasecmp(name, "charbuf") == 0) {
        return SKR_FT_STRING;
    }
    return 0;
}

static const char *const prio_names[] = {
    "Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

int skr_priority_parse(const char *s)
{
    for (int i = 0; i < 8; i++) {
        if (strcasecmp(s, prio_names[i]) == 0) {
            return i;
        }
    }
    if (strcasecmp(s, "info") == 0) {
        return 6;
    }
    return -1;
}

const char *skr_priority_name(int prio)
{
    if (prio < 0 || prio > 7) {
        return "Unknown";
    }
    return prio_names[prio];
}
