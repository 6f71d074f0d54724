/* SPDX-License-Identifier: Apache-2.0 */
/* Alert lines: Falco's text line and JSON object (spec config.md §4). */
#include "output/output.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void skr_output_format_time(uint64_t ts, bool iso8601, struct skr_strbuf *out)
{
    time_t secs = (time_t)(ts / 1000000000ull);
    unsigned long ns = (unsigned long)(ts % 1000000000ull);
    struct tm tm;
    char buf[64];

    if (iso8601) {
        gmtime_r(&secs, &tm);
        if (strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
            buf[0] = '\0';
        }
        skr_strbuf_printf(out, "%s.%09lu+0000", buf, ns);
        return;
    }
    localtime_r(&secs, &tm);
    if (strftime(buf, sizeof(buf), "%H:%M:%S", &tm) == 0) {
        buf[0] = '\0';
    }
    skr_strbuf_printf(out, "%s.%09lu", buf, ns);
}

/* RFC 3339 UTC with nanoseconds and Z: the JSON "time" key. */
static void format_rfc3339(uint64_t ts, struct skr_strbuf *out)
{
    time_t secs = (time_t)(ts / 1000000000ull);
    struct tm tm;
    char buf[64];

    gmtime_r(&secs, &tm);
    if (strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        buf[0] = '\0';
    }
    skr_strbuf_printf(out, "%s.%09luZ", buf, (unsigned long)(ts % 1000000000ull));
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80) {
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

/* A JSON string body: escapes as JSON requires, invalid UTF-8 becomes U+FFFD. */
static void json_str(struct skr_strbuf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0;
    size_t i = 0;

    while (i < n) {
        size_t l;
        if (u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' && u[i] != '\\') {
            i++;
            continue;
        }
        if (u[i] >= 0x80 && (l = utf8_len(u + i, n - i)) > 0) {
            i += l;
            continue;
        }
        skr_strbuf_json_escape(b, s + start, i - start);
        if (u[i] >= 0x80) {
            skr_strbuf_puts(b, "\xef\xbf\xbd");
        } else {
            skr_strbuf_json_escape(b, s + i, 1);
        }
        i++;
        start = i;
    }
    skr_strbuf_json_escape(b, s + start, n - start);
}

static void json_qstr(struct skr_strbuf *b, const char *s)
{
    skr_strbuf_putc(b, '"');
    json_str(b, s, strlen(s));
    skr_strbuf_putc(b, '"');
}

/* An address as text into buf (at least INET6_ADDRSTRLEN bytes); "<NA>" when not 4 or 16 bytes. */
static const char *ip_text(const ss_plugin_byte_buffer *buf, char *txt, size_t size)
{
    if ((buf->len == 4 && inet_ntop(AF_INET, buf->ptr, txt, (socklen_t)size) != NULL) ||
        (buf->len == 16 && inet_ntop(AF_INET6, buf->ptr, txt, (socklen_t)size) != NULL)) {
        return txt;
    }
    return "<NA>";
}

/* Printable ASCII kept, every other byte '.', as Falco's default buffer format; JSON-escaped
 * when json. Written in chunks through a stack buffer: no allocation per value. */
static void buf_text(const ss_plugin_byte_buffer *buf, bool json, struct skr_strbuf *out)
{
    const unsigned char *p = buf->ptr;
    char chunk[256];
    size_t n = 0;

    for (uint32_t i = 0; i < buf->len; i++) {
        chunk[n++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
        if (n == sizeof(chunk) || i + 1 == buf->len) {
            if (json) {
                skr_strbuf_json_escape(out, chunk, n);
            } else {
                skr_strbuf_append(out, chunk, n);
            }
            n = 0;
        }
    }
}

static bool is_signed(uint32_t t)
{
    return t == SAKER_FTYPE_INT8 || t == SAKER_FTYPE_INT16 || t == SAKER_FTYPE_INT32 ||
           t == SAKER_FTYPE_INT64;
}

static void one_value(const saker_alert_field *f,
                      const saker_alert_value *v,
                      bool json,
                      struct skr_strbuf *out)
{
    char txt[INET6_ADDRSTRLEN];

    switch (f->type) {
    case FTYPE_STRING:
    case SAKER_FTYPE_FSPATH:
        if (json) {
            skr_strbuf_putc(out, '"');
            json_str(out, v->v.str.ptr, v->v.str.len);
            skr_strbuf_putc(out, '"');
        } else {
            skr_strbuf_append(out, v->v.str.ptr, v->v.str.len);
        }
        return;
    case FTYPE_BOOL:
        skr_strbuf_puts(out, v->v.boolean ? "true" : "false");
        return;
    case SAKER_FTYPE_DOUBLE:
        skr_strbuf_printf(out, json ? "%.17g" : "%.1f", v->v.d);
        return;
    case FTYPE_IPADDR:
    case FTYPE_IPNET: {
        const char *t = ip_text(&v->v.buf, txt, sizeof(txt));
        if (json) {
            skr_strbuf_putc(out, '"');
            skr_strbuf_puts(out, t); /* digits, dots, colons, hex: nothing to escape */
            skr_strbuf_putc(out, '"');
        } else {
            skr_strbuf_puts(out, t);
        }
        return;
    }
    case SAKER_FTYPE_BYTEBUF:
        if (json) {
            skr_strbuf_putc(out, '"');
        }
        buf_text(&v->v.buf, json, out);
        if (json) {
            skr_strbuf_putc(out, '"');
        }
        return;
    default:
        if (is_signed(f->type)) {
            skr_strbuf_printf(out, "%" PRId64, v->v.s64);
        } else {
            skr_strbuf_printf(out, "%" PRIu64, v->v.u64);
        }
        return;
    }
}

void skr_output_format_field(const saker_alert_field *f, bool json, struct skr_strbuf *out)
{
    if (f->num_values == 0) {
        skr_strbuf_puts(out, json ? "null" : "<NA>");
        return;
    }
    if (!f->is_list) {
        one_value(f, &f->values[0], json, out);
        return;
    }
    skr_strbuf_putc(out, json ? '[' : '(');
    for (uint32_t i = 0; i < f->num_values; i++) {
        if (i > 0) {
            skr_strbuf_putc(out, ',');
        }
        one_value(f, &f->values[i], json, out);
    }
    skr_strbuf_putc(out, json ? ']' : ')');
}

static void text_line(const struct skr_output_cfg *cfg,
                      const saker_alert *a,
                      struct skr_strbuf *out)
{
    skr_output_format_time(a->ts, cfg->time_format_iso_8601, out);
    skr_strbuf_printf(out, ": %s %s", a->priority_name, a->output);
}

void skr_output_format(const struct skr_output_cfg *cfg,
                       const saker_alert *a,
                       struct skr_strbuf *out)
{
    bool internal = strcmp(a->source, "internal") == 0;

    if (!cfg->json_output) {
        text_line(cfg, a, out);
        return;
    }
    /* keys in alphabetical order, as Falco emits them */
    skr_strbuf_puts(out, "{\"hostname\":");
    json_qstr(out, a->hostname);
    if (cfg->json_include_message_property) {
        skr_strbuf_puts(out, ",\"message\":");
        json_qstr(out, a->output);
    }
    if (cfg->json_include_output_property) {
        /* the text line, escaped as it is written (time and priority need no escaping) */
        skr_strbuf_puts(out, ",\"output\":\"");
        skr_output_format_time(a->ts, cfg->time_format_iso_8601, out);
        skr_strbuf_printf(out, ": %s ", a->priority_name);
        json_str(out, a->output, strlen(a->output));
        skr_strbuf_putc(out, '"');
    }
    if (cfg->json_include_output_fields_property) {
        skr_strbuf_puts(out, ",\"output_fields\":{");
        if (cfg->time_format_iso_8601) {
            skr_strbuf_puts(out, "\"evt.time.iso8601\":\"");
            skr_output_format_time(a->ts, true, out);
            skr_strbuf_putc(out, '"');
        } else {
            skr_strbuf_printf(out, "\"evt.time\":%" PRIu64, a->ts);
        }
        for (uint32_t i = 0; i < a->num_fields; i++) {
            const saker_alert_field *f = &a->fields[i];
            if (strcmp(f->name, "evt.time") == 0 || strcmp(f->name, "evt.time.iso8601") == 0) {
                continue;
            }
            skr_strbuf_putc(out, ',');
            json_qstr(out, f->name);
            skr_strbuf_putc(out, ':');
            skr_output_format_field(f, true, out);
        }
        skr_strbuf_putc(out, '}');
    }
    skr_strbuf_puts(out, ",\"priority\":");
    json_qstr(out, a->priority_name);
    skr_strbuf_puts(out, ",\"rule\":");
    json_qstr(out, a->rule);
    skr_strbuf_puts(out, ",\"source\":");
    json_qstr(out, a->source);
    if (cfg->json_include_tags_property && !internal) {
        skr_strbuf_puts(out, ",\"tags\":[");
        for (uint32_t i = 0; i < a->num_tags; i++) {
            if (i > 0) {
                skr_strbuf_putc(out, ',');
            }
            json_qstr(out, a->tags[i]);
        }
        skr_strbuf_putc(out, ']');
    }
    skr_strbuf_puts(out, ",\"time\":\"");
    format_rfc3339(a->ts, out);
    skr_strbuf_puts(out, "\"}");
}
