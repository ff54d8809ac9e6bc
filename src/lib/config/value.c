/* SPDX-License-Identifier: MIT */
/*
 * value.c: the one parser of typed values in attache's .ini files and
 * options: presets, campaigns, INBOX/attache.ini and the command line all
 * read booleans, language tags, colours, fractions and sizes here, so a
 * value means the same wherever it is written (docs/architecture.md,
 * "Options and values").
 */
#include "private.h"

#include <errno.h>
#include <string.h>

/* true/yes/on/1 and false/no/off/0, in any case: the union the shipped
 * files and attache.ini have always accepted, and nothing more. */
gboolean
attache__value_bool(const char *s, gboolean *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (guint i = 0; s && i < G_N_ELEMENTS(yes); i++) {
		if (!g_ascii_strcasecmp(s, yes[i])) {
			*out = TRUE;
			return TRUE;
		}
		if (!g_ascii_strcasecmp(s, no[i])) {
			*out = FALSE;
			return TRUE;
		}
	}
	return FALSE;
}

gboolean
attache__lang_tag_valid(const char *s)
{
	/* BCP 47 shape: a 2-3 letter language, then subtags of 2-8 letters or
	 * digits (zh-Hans, pt-BR, es-419) */
	int n = 0;
	const char *p = s;
	if (!p)
		return FALSE;
	while (g_ascii_isalpha(*p))
		p++, n++;
	if (n < 2 || n > 3)
		return FALSE;
	while (*p == '-') {
		p++;
		n = 0;
		while (g_ascii_isalnum(*p))
			p++, n++;
		if (n < 2 || n > 8)
			return FALSE;
	}
	return *p == '\0';
}

/* #rrggbb, or #rrggbbaa when @alpha, to 0..255 each (alpha 255 when
 * absent); exactly hex digits, no sign or space. */
gboolean
attache__value_colour(const char *s, gboolean alpha, double rgba[4])
{
	size_t n = s ? strlen(s) : 0;
	if (!s || s[0] != '#' || (n != 7 && !(alpha && n == 9)))
		return FALSE;
	double v[4] = { 0, 0, 0, 255 };
	for (size_t i = 0; i < (n - 1) / 2; i++) {
		int hi = g_ascii_xdigit_value(s[1 + 2 * i]);
		int lo = g_ascii_xdigit_value(s[2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return FALSE;
		v[i] = hi * 16 + lo;
	}
	memcpy(rgba, v, (alpha ? 4 : 3) * sizeof(double));
	return TRUE;
}

/* A number, or a percentage ("5%" is 0.05). The range is the caller's. */
gboolean
attache__value_fraction(const char *s, double *out)
{
	char *end;
	errno = 0;
	double d = g_ascii_strtod(s, &end);
	if (errno || end == s)
		return FALSE;
	while (*end == ' ')
		end++;
	if (*end == '%') {
		d /= 100;
		end++;
	}
	if (*end)
		return FALSE;
	*out = d;
	return TRUE;
}

/* A file size as platforms state their limits: "5000000", "5MB", "5 MiB",
 * "800kB" (k and M are powers of 1000, KiB and MiB of 1024) and, for a
 * pixel count, "40MP". --max-memory's binary sizes are
 * attache_size_from_string(). */
gboolean
attache__value_bytes(const char *s, gint64 *out)
{
	static const struct {
		const char *suffix;
		double mul;
	} units[] = { { "", 1 }, { "b", 1 }, { "k", 1e3 }, { "kb", 1e3 },
		{ "m", 1e6 }, { "mb", 1e6 }, { "kib", 1024 }, { "mib", 1048576 },
		{ "mp", 1e6 } };
	char *end;
	errno = 0;
	double v = g_ascii_strtod(s, &end);
	if (errno || end == s || v < 0)
		return FALSE;
	while (*end == ' ')
		end++;
	for (guint i = 0; i < G_N_ELEMENTS(units); i++) {
		if (g_ascii_strcasecmp(end, units[i].suffix))
			continue;
		/* inf, nan and sizes past gint64 would not convert (found by
		 * fuzz-preset) */
		if (!(v * units[i].mul < 9e18))
			return FALSE;
		*out = (gint64)(v * units[i].mul + 0.5);
		return TRUE;
	}
	return FALSE;
}

/* A preset or platform name: letters, digits and - _ . @ : */
gboolean
attache__value_name(const char *s)
{
	if (!s || !*s)
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("-_.@:", *p))
			return FALSE;
	return TRUE;
}
