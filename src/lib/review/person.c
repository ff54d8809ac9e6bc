/* SPDX-License-Identifier: MIT */
/*
 * person.c: who a name in the manifest or approvals.json is, so that the
 * two-person rule cannot be met by a second spelling of the preparer's
 * name (docs/review.md).
 *
 * In this order (issue 11, point 6): NFKC, remove default-ignorable code
 * points (zero-width spaces, soft hyphens, bidi controls), trim white
 * space, casefold; then the UTS #39 confusable skeleton (ICU's uspoof), so
 * that "alice" written with a Cyrillic "а" is alice. Trimming after NFKC
 * matters: NFKC turns U+00A0 into a space that must then be trimmed.
 */
#include "private.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* UTF-16 text from ICU calls: g_free. */
typedef struct {
	UChar *s;
	int32_t len;
} U16;

/* @in as UTF-16, or FALSE when it is not valid UTF-8. out->s: g_free. */
static gboolean
from_utf8(const char *in, U16 *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;
	u_strFromUTF8(NULL, 0, &n, in, -1, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return FALSE;
	out->s = g_new0(UChar, n + 1);
	st = U_ZERO_ERROR;
	u_strFromUTF8(out->s, n + 1, &out->len, in, -1, &st);
	if (U_FAILURE(st)) {
		g_clear_pointer(&out->s, g_free);
		return FALSE;
	}
	return TRUE;
}

/* @in as UTF-8. (transfer full) */
static char *
to_utf8(const U16 *in)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0;
	u_strToUTF8(NULL, 0, &n, in->s, in->len, &st);
	char *out = g_malloc0((gsize)n + 1);
	st = U_ZERO_ERROR;
	u_strToUTF8(out, n + 1, NULL, in->s, in->len, &st);
	return out;
}

/* ICU's preflight-then-fill convention for one transform of @in into
 * @out (out->s: g_free). */
typedef int32_t (*Transform)(const void *ctx, const UChar *src, int32_t len,
	UChar *dest, int32_t cap, UErrorCode *st);

static gboolean
apply(Transform f, const void *ctx, const U16 *in, U16 *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = f(ctx, in->s, in->len, NULL, 0, &st);
	if (st != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(st))
		return FALSE;
	out->s = g_new0(UChar, n + 1);
	st = U_ZERO_ERROR;
	out->len = f(ctx, in->s, in->len, out->s, n + 1, &st);
	if (U_FAILURE(st)) {
		g_clear_pointer(&out->s, g_free);
		return FALSE;
	}
	return TRUE;
}

static int32_t
nfkc(const void *ctx, const UChar *src, int32_t len, UChar *dest,
	int32_t cap, UErrorCode *st)
{
	return unorm2_normalize(ctx, src, len, dest, cap, st);
}

static int32_t
fold(const void *ctx, const UChar *src, int32_t len, UChar *dest,
	int32_t cap, UErrorCode *st)
{
	return u_strFoldCase(dest, cap, src, len, U_FOLD_CASE_DEFAULT, st);
}

static int32_t
skeleton(const void *ctx, const UChar *src, int32_t len, UChar *dest,
	int32_t cap, UErrorCode *st)
{
	return uspoof_getSkeleton(ctx, 0, src, len, dest, cap, st);
}

/* Drops default-ignorable code points, then trims white space, in place. */
static void
strip_ignorable_and_trim(U16 *t)
{
	int32_t i = 0, o = 0;
	while (i < t->len) {
		UChar32 c;
		int32_t at = i;
		U16_NEXT(t->s, i, t->len, c);
		if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
			continue;
		for (int32_t k = at; k < i; k++)
			t->s[o++] = t->s[k];
	}
	t->len = o;
	int32_t start = 0, end = t->len;
	while (start < end) {
		UChar32 c;
		int32_t next = start;
		U16_NEXT(t->s, next, end, c);
		if (!u_isUWhiteSpace(c))
			break;
		start = next;
	}
	while (end > start) {
		UChar32 c;
		int32_t prev = end;
		U16_PREV(t->s, start, prev, c);
		if (!u_isUWhiteSpace(c))
			break;
		end = prev;
	}
	memmove(t->s, t->s + start, (gsize)(end - start) * sizeof(UChar));
	t->len = end - start;
	t->s[t->len] = 0;
}

/* NFKC, ignorables removed, trimmed: @out->s g_free, FALSE when @name is
 * not UTF-8 or ICU fails. */
static gboolean
clean(const char *name, U16 *out)
{
	U16 in = { 0 };
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *n2 = unorm2_getNFKCInstance(&st);
	if (!name || U_FAILURE(st) || !g_utf8_validate(name, -1, NULL) || !from_utf8(name, &in))
		return FALSE;
	gboolean ok = apply(nfkc, n2, &in, out);
	g_free(in.s);
	if (ok)
		strip_ignorable_and_trim(out);
	return ok;
}

char *
attache__person_name(const char *name)
{
	U16 c = { 0 };
	if (!clean(name, &c))
		return NULL;
	char *out = c.len ? to_utf8(&c) : NULL;
	g_free(c.s);
	return out;
}

/* One checker for the process: ICU's check and skeleton functions may be
 * called from several threads on one configured checker. */
static const USpoofChecker *
checker(void)
{
	static gsize once = 0;
	static USpoofChecker *sc = NULL;
	if (g_once_init_enter(&once)) {
		UErrorCode st = U_ZERO_ERROR;
		sc = uspoof_open(&st);
		if (U_FAILURE(st))
			sc = NULL;
		g_once_init_leave(&once, 1);
	}
	return sc;
}

char *
attache__person_key(const char *name)
{
	U16 c = { 0 }, f = { 0 }, k = { 0 };
	const USpoofChecker *sc = checker();
	char *out = NULL;

	if (!sc || !clean(name, &c))
		return NULL;
	if (c.len && apply(fold, NULL, &c, &f) && apply(skeleton, sc, &f, &k))
		out = to_utf8(&k);
	g_free(c.s);
	g_free(f.s);
	g_free(k.s);
	return out;
}
