/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 timestamps (the layout of Go's time.RFC3339Nano, which upstream parses). */
#include "jsonkit.h"

static bool digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
    int v = 0;

    if (at + count > n) {
        return false;
    }
    for (size_t i = at; i < at + count; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

int jk_rfc3339_ns(const char *s, size_t n, uint64_t *ns)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int year, mon, day, hour, min, sec;
    int64_t frac = 0;
    int64_t off_s = 0;
    size_t i;

    if (!digits(s, n, 0, 4, &year) || n < 20 || s[4] != '-' || !digits(s, n, 5, 2, &mon) ||
        s[7] != '-' || !digits(s, n, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s, n, 11, 2, &hour) || s[13] != ':' || !digits(s, n, 14, 2, &min) || s[16] != ':' ||
        !digits(s, n, 17, 2, &sec)) {
        return -1;
    }
    if (mon < 1 || mon > 12 || day < 1 || hour > 23 || min > 59 || sec > 59) {
        return -1;
    }
    if (day > mdays[mon - 1] + (mon == 2 && leap(year) ? 1 : 0)) {
        return -1;
    }
    i = 19;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        int64_t scale = 100000000;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (scale > 0) {
                frac += (s[i] - '0') * scale;
                scale /= 10;
            }
            i++;
        }
        if (i == start) {
            return -1;
        }
    }
    if (i >= n) {
        return -1;
    }
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        int oh, om;
        if (!digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' ||
            !digits(s, n, i + 4, 2, &om) || oh > 23 || om > 59) {
            return -1;
        }
        off_s = (int64_t)oh * 3600 + om * 60;
        if (s[i] == '-') {
            off_s = -off_s;
        }
        i += 6;
    } else {
        return -1;
    }
    if (i != n) {
        return -1;
    }
    int64_t secs = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec - off_s;
    if (secs < 0 || secs > INT64_MAX / 1000000000 - 1) {
        return -1;
    }
    *ns = (uint64_t)secs * 1000000000u + (uint64_t)frac;
    return 0;
}
