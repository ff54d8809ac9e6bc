/* SPDX-License-Identifier: MIT */
/*
 * review.c: the review page (docs/review.md). One static HTML file for the
 * outputs of a folder, grouped by source photo, for the second person of
 * the two-person rule: every preset's output side by side at its true
 * aspect, what the budget did, the flags to look at, the alt text per
 * language against each platform's limit, the audit and what was removed
 * or kept, and where each output stands for approval.
 *
 * The page holds no script and loads nothing from the network (a CSP meta
 * forbids it too): inline CSS, images by relative link or, with embed,
 * small previews as data: URIs. Everything from the manifest or the file
 * system is user data and is escaped.
 */
#include "private.h"

#include <string.h>
#include <sys/stat.h>

AttacheReviewOptions *
attache_review_options_new(void)
{
	AttacheReviewOptions *o = g_new0(AttacheReviewOptions, 1);
	o->preview_size = 640;
	return o;
}

void
attache_review_options_free(AttacheReviewOptions *o)
{
	if (!o)
		return;
	g_strfreev(o->languages);
	g_free(o);
}

/* ---- what the page shows about one output ---- */

typedef struct {
	const AttacheRecord *rec;
	const AttachePreset *preset; /* NULL when unknown here */
	char *path;
	char *href; /* relative URL or data: URI; NULL when no image */
	char *image_error;
	char *sha_now; /* NULL when unreadable */
	gint64 size_now;
	gboolean changed; /* bytes differ from the manifest's */
	AttacheAuditReport *audit;
	char *audit_error;
	AttacheApprovalStatus *approval;
	int alt_group;			  /* index into the photo's alt groups */
	gboolean attention;		  /* something a reviewer must look at */
	GPtrArray *flags;		  /* names of its flags, worst first (flags.c) */
	AttacheSeverity severity; /* the worst of them */
} OutView;

static void
outview_free(OutView *v)
{
	g_free(v->path);
	g_free(v->href);
	g_free(v->image_error);
	g_free(v->sha_now);
	attache_audit_report_free(v->audit);
	g_free(v->audit_error);
	attache_approval_status_free(v->approval);
	if (v->flags)
		g_ptr_array_unref(v->flags);
	g_free(v);
}

/* One alt text row: a language present or expected. */
typedef enum {
	ALT_OK,
	ALT_MISSING,  /* none at all, blank, or not in an expected language */
	ALT_FILENAME, /* only repeats the file name */
	ALT_OVER,	  /* over a platform's limit */
} AltState;

typedef struct {
	GPtrArray *outputs; /* OutView* (borrowed) sharing this alt text */
	const AttacheRecord *rec;
} AltGroup;

typedef struct {
	const char *input;	/* NULL: unknown */
	GPtrArray *outputs; /* OutView* (borrowed) */
	GPtrArray *groups;	/* AltGroup* */
	gboolean attention;
} PhotoView;

static void
altgroup_free(AltGroup *g)
{
	g_ptr_array_unref(g->outputs);
	g_free(g);
}

static void
photoview_free(PhotoView *p)
{
	g_ptr_array_unref(p->outputs);
	g_ptr_array_unref(p->groups);
	g_free(p);
}

/* ---- escaping ---- */

/* Appends @text escaped for HTML text and quoted attribute values. */
static void
esc(GString *s, const char *text)
{
	if (!text)
		return;
	if (!g_utf8_validate(text, -1, NULL)) {
		g_autofree char *v = g_utf8_make_valid(text, -1);
		g_autofree char *e = g_markup_escape_text(v, -1);
		g_string_append(s, e);
		return;
	}
	g_autofree char *e = g_markup_escape_text(text, -1);
	g_string_append(s, e);
}

/* A file name for display: any bytes, shown as UTF-8. */
static void
esc_name(GString *s, const char *name)
{
	g_autofree char *d = g_filename_display_name(name);
	esc(s, d);
}

/* Percent-encodes one path segment (every byte but the unreserved). */
static void
url_segment(GString *s, const char *seg)
{
	for (const guchar *p = (const guchar *)seg; *p; p++) {
		if (g_ascii_isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~')
			g_string_append_c(s, (char)*p);
		else
			g_string_append_printf(s, "%%%02X", *p);
	}
}

/* The relative URL from the folder @from to the file @to (absolute
 * canonical paths). (transfer full) */
static char *
relative_url(const char *from, const char *to)
{
	g_auto(GStrv) a = g_strsplit(from, "/", -1);
	g_auto(GStrv) b = g_strsplit(to, "/", -1);
	guint na = g_strv_length(a), nb = g_strv_length(b);
	guint i = 0;
	/* the last part of @to is the file: never part of the common prefix */
	while (i < na && i + 1 < nb && g_str_equal(a[i], b[i]))
		i++;
	GString *s = g_string_new(NULL);
	for (guint k = i; k < na; k++)
		if (*a[k])
			g_string_append(s, "../");
	for (guint k = i; k < nb; k++) {
		if (!*b[k])
			continue;
		url_segment(s, b[k]);
		if (k + 1 < nb)
			g_string_append_c(s, '/');
	}
	return g_string_free(s, FALSE);
}

/* ---- small helpers ---- */

static gboolean
blank(const char *text)
{
	AttacheAltCheck c;
	if (!text)
		return TRUE;
	attache__alt_check(text, NULL, 0, &c);
	return c.blank;
}

/* The text for the img alt attribute: x-default, else the first. */
static const char *
alt_for_img(const AttacheRecord *r)
{
	const AttacheAlt *a = attache__record_alt(r, "x-default");
	if (!a && r->alt->len)
		a = r->alt->pdata[0];
	return a && !blank(a->text) ? a->text : NULL;
}

/* Whether @r's x-default is its own language's text, as in each output
 * of a run of several languages (docs/prep.md, "Languages"). */
static gboolean
default_is_own(const AttacheRecord *r)
{
	const AttacheAlt *d = attache__record_alt(r, "x-default");
	const AttacheAlt *own = r->lang ? attache__record_alt(r, r->lang) : NULL;
	return d && own && g_str_equal(d->text, own->text);
}

/* The same alt texts (and long description) in the same order; an
 * x-default that is each output's own language's text does not tell
 * the languages of one photo apart. */
static gboolean
same_alt(const AttacheRecord *a, const AttacheRecord *b)
{
	if (a->alt->len != b->alt->len || g_strcmp0(a->alt_long, b->alt_long) != 0)
		return FALSE;
	gboolean own = default_is_own(a) && default_is_own(b);
	for (guint i = 0; i < a->alt->len; i++) {
		const AttacheAlt *x = a->alt->pdata[i], *y = b->alt->pdata[i];
		if (strcmp(x->lang, y->lang))
			return FALSE;
		if (strcmp(x->text, y->text) && !(own && g_str_equal(x->lang, "x-default")))
			return FALSE;
	}
	return TRUE;
}

/* The languages of @outputs (OutView*) in the order first seen, "" for
 * none. (transfer container) */
static GPtrArray *
langs_of(GPtrArray *outputs)
{
	GPtrArray *langs = g_ptr_array_new();
	for (guint i = 0; i < outputs->len; i++) {
		const char *l = ((const OutView *)outputs->pdata[i])->rec->lang;
		l = l ? l : "";
		if (!g_ptr_array_find_with_equal_func(langs, l, g_str_equal, NULL))
			g_ptr_array_add(langs, (gpointer)l);
	}
	return langs;
}

static char *
when(const char *iso)
{
	if (!iso)
		return NULL;
	g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(iso, NULL);
	if (!t)
		return g_strdup(iso);
	g_autoptr(GDateTime) u = g_date_time_to_utc(t);
	return g_date_time_format(u, "%Y-%m-%d %H:%M UTC");
}

static char *
size_text(gint64 bytes)
{
	return g_format_size((guint64)MAX(bytes, 0));
}

/* ---- what each kind means to a reviewer (flags: flags.c) ---- */

static const struct {
	const char *name;
	const char *label;
} kind_words[] = {
	{ "gps", "GPS position" },
	{ "place", "place names" },
	{ "serial", "serial numbers" },
	{ "owner", "owner's name" },
	{ "makernote", "maker notes" },
	{ "thumbnail", "embedded thumbnail" },
	{ "freetext", "comments and descriptions" },
	{ "xmp", "XMP packet" },
	{ "iptc", "IPTC block" },
	{ "icc-converted", "colour profile (converted to sRGB)" },
	{ "other", "other metadata" },
	{ "credit", "credit (artist, copyright)" },
	{ "datetime", "date and time taken" },
	{ "camera", "camera make, model and exposure" },
	{ "alt-text", "alt text" },
	{ "icc", "sRGB colour profile" },
};

static const char *
kind_label(const char *name)
{
	for (guint i = 0; i < G_N_ELEMENTS(kind_words); i++)
		if (g_str_equal(kind_words[i].name, name))
			return kind_words[i].label;
	return name;
}

/* ---- gathering ---- */

/* A data: URL of a small copy of @bytes (the output at @path, as hashed
 * and audited: what the page shows is what the hash covers). @bytes:
 * borrowed. @href: (transfer full). */
static AttacheCode
preview(const char *path, GBytes *bytes, int size, char **href,
	GError **error)
{
	g_autoptr(VipsImage) t = NULL;
	void *buf = NULL;
	size_t len = 0;
	const char *mime;
	gsize n;
	const void *data = g_bytes_get_data(bytes, &n);

	if (vips_thumbnail_buffer((void *)data, n, &t, size, "size",
			VIPS_SIZE_DOWN, NULL))
		return attache__vips_error(error, ATTACHE_E_IMAGE, path);
	if (vips_image_hasalpha(t)) {
		mime = "image/png";
		if (vips_pngsave_buffer(t, &buf, &len, "strip", TRUE, NULL))
			return attache__vips_error(error, ATTACHE_E_IMAGE, path);
	}
	else {
		mime = "image/jpeg";
		if (vips_jpegsave_buffer(t, &buf, &len, "Q", 80, "strip", TRUE,
				NULL))
			return attache__vips_error(error, ATTACHE_E_IMAGE, path);
	}
	g_autofree char *b64 = g_base64_encode(buf, len);
	g_free(buf);
	*href = g_strdup_printf("data:%s;base64,%s", mime, b64);
	return ATTACHE_OK;
}

static OutView *
outview_new(const AttacheManifest *m, const AttacheRecord *r,
	GPtrArray *approvals, const char *approvals_error,
	const AttachePresetSet *presets, const AttacheReviewOptions *opts,
	const char *page_dir)
{
	OutView *v = g_new0(OutView, 1);
	v->rec = r;
	v->path = g_build_filename(m->dir, r->file, NULL);
	v->preset = presets && r->preset
					? attache_preset_set_lookup(presets, r->preset, NULL)
					: NULL;

	struct stat st;
	if (stat(v->path, &st) == 0)
		v->size_now = st.st_size;
	/* read once: the hash, the audit and the preview are of the same
	 * bytes, even if someone replaces the file meanwhile */
	g_autoptr(GError) e = NULL;
	g_autoptr(GBytes) bytes = NULL;
	if (attache__read_photo(v->path, 0, &bytes, &e) == ATTACHE_OK) {
		gsize n;
		const guchar *d = g_bytes_get_data(bytes, &n);
		v->sha_now = g_compute_checksum_for_data(G_CHECKSUM_SHA256, d, n);
		if (attache_audit_buffer(d, n, &v->audit, &e))
			v->audit_error = g_strdup_printf("%s: %s", v->path, e->message);
	}
	else
		v->audit_error = g_strdup(e ? e->message : "cannot be read");
	g_clear_error(&e);
	v->changed = !v->sha_now || !g_str_equal(v->sha_now, r->sha256);

	v->approval = attache__approval_status(m, approvals, approvals_error,
		r->file, v->path, v->sha_now ? v->sha_now : r->sha256);

	if (opts->embed) {
		if (!bytes)
			v->image_error = g_strdup(v->audit_error);
		else if (preview(v->path, bytes, MAX(opts->preview_size, 16),
					 &v->href, &e))
			v->image_error = g_strdup(e->message);
	}
	else {
		g_autofree char *abs = g_canonicalize_filename(v->path, NULL);
		v->href = relative_url(page_dir, abs);
	}
	return v;
}

/* ---- writing ---- */

/* clang-format off */
static const char css[] =
	":root{color-scheme:light dark;--fg:#1b1c1e;--bg:#fff;--muted:#5c6168;"
	"--line:#d3d7dc;--card:#f5f6f8;--warn:#8a4600;--warnbg:#fff1dc;"
	"--bad:#a30d0d;--badbg:#fde7e7;--ok:#0b6a2b;--okbg:#e4f3e8}\n"
	"@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#15171a;"
	"--muted:#a5abb2;--line:#3d4146;--card:#1f2226;--warn:#ffb860;"
	"--warnbg:#3a2910;--bad:#ff8f86;--badbg:#3d1919;--ok:#86cf9c;"
	"--okbg:#15301f}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\","
	"Roboto,\"Noto Sans\",sans-serif;color:var(--fg);background:var(--bg);"
	"overflow-wrap:anywhere}\n"
	"header,main{max-width:1440px;margin:0 auto;padding:0 16px}\n"
	"h1{font-size:1.45rem;margin:18px 0 4px}"
	"h2{font-size:1.2rem;margin:0 0 4px}"
	"h3{font-size:1rem;margin:14px 0 6px}\n"
	/* a photo's languages side by side while they fit, one group each */
	".lang-groups{display:flex;flex-wrap:wrap;gap:8px 18px;"
	"align-items:flex-start}\n"
	".lang-group{flex:1 1 var(--gb,240px);min-width:180px;max-width:100%;"
	"border-left:3px solid #0b5cad;padding-left:10px;margin:10px 0}\n"
	".lang-head{margin:0}\n"
	"code{font:0.85em ui-monospace,\"DejaVu Sans Mono\",monospace}\n"
	".muted{color:var(--muted)}\n"
	".summary{display:flex;flex-wrap:wrap;gap:6px 18px;margin:6px 0}\n"
	".howto{background:var(--card);border:1px solid var(--line);"
	"border-radius:6px;padding:8px 12px}\n"
	".problems,.attention-list{margin:8px 0;padding:8px 12px 8px 28px;"
	"border-radius:6px}\n"
	".problems{background:var(--badbg);color:var(--bad);"
	"border:1px solid var(--bad)}\n"
	".attention-list{background:var(--warnbg);border:1px solid var(--warn)}\n"
	".photo{border-top:2px solid var(--line);padding:14px 0 22px}\n"
	".photo.needs-attention>h2::before{content:\"\\26A0  \";"
	"color:var(--warn)}\n"
	/* a justified row: widths in proportion to the aspect, so the images
	 * of a row share one height and each keeps its true shape */
	".outputs{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start;"
	"margin-top:10px}\n"
	/* the basis adds the padding and border (18 px): only the image
	 * part grows in proportion to the aspect; never taller than 420 px
	 * nor wider than the output's own pixels */
	".output{margin:0;flex:var(--r) 1 calc(var(--r) * 220px + 18px);"
	"min-width:160px;max-width:min(100%,calc(var(--r) * 420px + 18px),"
	"calc(var(--w) * 1px + 18px));background:var(--card);"
	"border:1px solid var(--line);border-radius:8px;padding:8px}\n"
	".output.needs-attention{border-color:var(--warn);"
	"box-shadow:0 0 0 2px var(--warn)}\n"
	".output img,.output .noimg{display:block;width:100%;height:auto;"
	"aspect-ratio:var(--r);outline:1px solid var(--line);"
	"background:repeating-conic-gradient(#c8c8c8 0 25%,#f4f4f4 0 50%) "
	"0 0/16px 16px}\n"
	".shot{position:relative}\n"
	".shot .box{position:absolute;box-sizing:border-box;border:2px solid}\n"
	".box.face.masked{border-color:#1a7f37;border-style:dashed}\n"
	".box.face.visible{border-color:#d1242f;border-width:3px}\n"
	".box.hand{border-color:#0550ae;border-style:dotted}\n"
	".box.text{border-color:#9a6700}\n"
	".box.face::after{content:attr(data-n);position:absolute;top:-1px;left:-1px;"
	"font:700 11px/1 sans-serif;padding:1px 3px;color:#fff;background:#d1242f}\n"
	".box.face.masked::after{background:#1a7f37}\n"
	".faces.visible{color:var(--bad);font-weight:650}\n"
	".output .noimg{display:flex;align-items:center;justify-content:center;"
	"padding:8px;color:var(--bad);background:var(--badbg)}\n"
	"figcaption{margin-top:6px;font-size:0.9rem}\n"
	"figcaption .preset{font-weight:650}\n"
	"meter{display:block;width:100%;height:0.7em}\n"
	"ul.flags,ul.notes{list-style:none;margin:6px 0;padding:0}\n"
	".flag,.note{margin:3px 0;padding:3px 6px;border-radius:4px}\n"
	".flag{background:var(--warnbg);color:var(--warn);"
	"border-left:4px solid var(--warn)}\n"
	".note.bad{background:var(--badbg);color:var(--bad);"
	"border-left:4px solid var(--bad)}\n"
	".approval{margin:6px 0 0;padding:3px 6px;border-radius:4px;"
	"border-left:4px solid var(--muted)}\n"
	".approval.approved{background:var(--okbg);color:var(--ok);"
	"border-color:var(--ok)}\n"
	".approval.changed,.approval.damaged,.approval.no-preparer,"
	".approval.self-approved{background:var(--badbg);color:var(--bad);"
	"border-color:var(--bad)}\n"
	".alts{list-style:none;margin:0;padding:0;display:grid;gap:8px}\n"
	".alt{background:var(--card);border:1px solid var(--line);"
	"border-left:4px solid var(--ok);border-radius:6px;padding:6px 10px}\n"
	".alt.missing,.alt.filename,.alt.over{border-left-color:var(--bad);"
	"background:var(--badbg)}\n"
	".alt .lang{font-weight:650;margin-right:8px}\n"
	".alt .alt-text{margin:4px 0;white-space:pre-wrap}\n"
	".alt .mark{color:var(--bad);font-weight:650}\n"
	".count.over{color:var(--bad);font-weight:650}\n"
	/* the severities (docs/review.md): blocked in red, a deliberate yes
	 * in amber, information quiet */
	".severity{font-size:0.8em;font-weight:650;text-transform:uppercase;"
	"letter-spacing:0.03em;margin-right:4px}\n"
	".output.sev-blocking{border-color:var(--bad);"
	"box-shadow:0 0 0 2px var(--bad)}\n"
	".output.sev-info.needs-attention{box-shadow:none;border-style:dashed}\n"
	".flag.sev-info,.note.sev-info{background:var(--card);color:var(--fg);"
	"border-left-color:var(--muted)}\n"
	".flag.sev-blocking{background:var(--badbg);color:var(--bad);"
	"border-left-color:var(--bad)}\n"
	".failures{border:1px solid var(--bad);background:var(--badbg);"
	"border-radius:6px;padding:8px 12px;margin:12px 0}\n"
	".failures h2{color:var(--bad)}.failures ul{margin:4px 0;padding-left:20px}\n"
	".failure{margin:6px 0}\n"
	".privacy{display:grid;grid-template-columns:repeat(auto-fit,"
	"minmax(260px,1fr));gap:8px 20px;margin:0}\n"
	".privacy dt{font-weight:650}.privacy dd{margin:0 0 6px}\n"
	".verdict.clean{color:var(--ok);font-weight:650}\n"
	".verdict.failed{color:var(--bad);font-weight:650}\n"
	"@media (max-width:640px){header,main{padding:0 10px}"
	".output{flex:1 1 100%}body{font-size:14px}}\n";
/* clang-format on */

/* The words of a severity on the page. */
static const char *
severity_words(AttacheSeverity sev)
{
	switch (sev) {
	case ATTACHE_SEVERITY_BLOCKING:
		return "Blocking: never approved";
	case ATTACHE_SEVERITY_NEEDS_YES:
		return "Needs a deliberate yes";
	case ATTACHE_SEVERITY_INFO:
		return "Information";
	case ATTACHE_SEVERITY_NONE:
		break;
	}
	return "";
}

/* The opening of one flag's item: class, data-flag, data-severity, and
 * its severity in words. */
static void
flag_item_open(GString *s, const char *cls, const char *attr,
	const char *name)
{
	AttacheSeverity sev = attache__flag_info(name)->severity;
	g_string_append_printf(s, "<li class=\"%s sev-%s\" %s=\"", cls,
		attache_severity_name(sev), attr);
	esc(s, name);
	g_string_append_printf(s, "\" data-severity=\"%s\"><span "
							  "class=\"severity\">%s</span> ",
		attache_severity_name(sev), severity_words(sev));
}

/* The manifest's flags of the output (quality floor, small source ...),
 * each with its severity and what it means. */
static void
write_flags(GString *s, const OutView *v)
{
	const AttacheRecord *r = v->rec;
	gboolean any = FALSE;

	for (int i = 0; r->flags[i]; i++) {
		const AttacheFlagInfo *f = attache__flag_info(r->flags[i]);
		gboolean known = g_str_equal(f->name, r->flags[i]);
		if (!any)
			g_string_append(s, "<ul class=\"flags\">");
		any = TRUE;
		flag_item_open(s, "flag", "data-flag", r->flags[i]);
		g_string_append(s, "<strong>Check: ");
		esc(s, known ? f->label : r->flags[i]);
		g_string_append(s, "</strong>");
		if (g_str_equal(r->flags[i], "quality-floor") && r->quality)
			g_string_append_printf(s, " (q%d)", r->quality);
		g_string_append(s, " — ");
		esc(s, f->why);
		g_string_append(s, "</li>");
	}
	if (any)
		g_string_append(s, "</ul>");
}

/* The flags found beyond the manifest's own: alt text (told in full in
 * the photo's alt-text list). */
static void
write_alt_notes(GString *n, const OutView *v)
{
	for (guint i = 0; i < v->flags->len; i++) {
		const char *name = v->flags->pdata[i];
		if (strncmp(name, "alt-", 4) != 0)
			continue;
		const AttacheFlagInfo *f = attache__flag_info(name);
		flag_item_open(n, "note bad", "data-note", name);
		g_string_append(n, "<strong>");
		esc(n, f->label);
		g_string_append(n, ":</strong> ");
		esc(n, f->why);
		g_string_append(n, " (see Alt text below)</li>");
	}
}

static void
write_notes(GString *s, const OutView *v)
{
	const AttacheRecord *r = v->rec;
	GString *n = g_string_new(NULL);

	if (v->changed) {
		flag_item_open(n, "note bad", "data-note", "changed");
		g_string_append(n, "<strong>Changed since prep:</strong> these are "
						   "not the bytes attache made (SHA-256 now ");
		esc(n, v->sha_now ? v->sha_now : "unreadable");
		g_string_append(n, ")</li>");
	}
	if (v->audit_error) {
		flag_item_open(n, "note bad", "data-note", "audit-failed");
		g_string_append(n, "<strong>Audit:</strong> ");
		esc(n, v->audit_error);
		g_string_append(n, "</li>");
	}
	else if (v->audit && (v->audit->kinds & ATTACHE_KINDS_FORBIDDEN)) {
		g_autofree char *k = attache_kinds_to_string(
			v->audit->kinds & ATTACHE_KINDS_FORBIDDEN);
		flag_item_open(n, "note bad", "data-note", "audit-failed");
		g_string_append(n, "<strong>Audit failed:</strong> the file carries ");
		esc(n, k);
		g_string_append(n, "</li>");
	}
	write_alt_notes(n, v);
	for (int i = 0; r->warnings[i]; i++) {
		flag_item_open(n, "note", "data-note", "warning");
		esc(n, r->warnings[i]);
		g_string_append(n, "</li>");
	}
	if (n->len)
		g_string_append_printf(s, "<ul class=\"notes\">%s</ul>", n->str);
	g_string_free(n, TRUE);
}

static void
write_approval(GString *s, const OutView *v)
{
	const AttacheApprovalStatus *a = v->approval;
	g_string_append(s, "<p class=\"approval ");
	g_string_append(s, attache_approval_state_name(a->state));
	g_string_append(s, "\" data-approval=\"");
	g_string_append(s, attache_approval_state_name(a->state));
	g_string_append(s, "\">");
	switch (a->state) {
	case ATTACHE_APPROVAL_APPROVED: {
		g_autofree char *t = when(a->approved_at);
		g_string_append(s, "Approved by ");
		esc(s, a->approved_by);
		g_string_append(s, ", ");
		esc(s, t);
		break;
	}
	case ATTACHE_APPROVAL_NONE:
		g_string_append(s, "Not approved yet");
		break;
	case ATTACHE_APPROVAL_SELF_ONLY:
		g_string_append(s, "Approved only by who prepared it (");
		esc(s, a->prepared_by);
		g_string_append(s, "): a second person must approve");
		break;
	case ATTACHE_APPROVAL_CHANGED:
		g_string_append(s, "Changed after approval: approve again");
		break;
	case ATTACHE_APPROVAL_NO_PREPARER:
		g_string_append(s, "No record of who prepared these bytes");
		break;
	case ATTACHE_APPROVAL_DAMAGED:
		g_string_append(s, "Approval records damaged: nothing counts");
		break;
	}
	g_string_append(s, "</p>");
}

/* The figure's opening tag, with the data- attributes tests and scripts
 * read. */
static void
write_figure_tag(GString *s, const OutView *v, int w, int h)
{
	const AttacheRecord *r = v->rec;
	char ratio[G_ASCII_DTOSTR_BUF_SIZE];
	g_ascii_formatd(ratio, sizeof(ratio), "%.4f", (double)w / h);

	/* --r: the aspect; --w: the pixel width, never drawn larger */
	g_string_append_printf(s,
		"<figure class=\"output%s sev-%s\" style=\"--r:%s;--w:%d\"",
		v->attention ? " needs-attention" : "",
		attache_severity_name(v->severity), ratio, w);
	g_string_append(s, " data-file=\"");
	esc_name(s, r->file);
	g_string_append(s, "\" data-preset=\"");
	esc(s, r->preset);
	g_string_append(s, "\" data-lang=\"");
	esc(s, r->lang);
	g_string_append(s, "\" data-flags=\"");
	for (int i = 0; r->flags[i]; i++) {
		if (i)
			g_string_append_c(s, ' ');
		esc(s, r->flags[i]);
	}
	g_string_append_printf(s, "\" data-attention=\"%s\" data-severity=\"%s\">",
		v->attention ? "yes" : "no", attache_severity_name(v->severity));
}

/* The image, with its own alt text as its text alternative, or why there
 * is none. */
static void
write_image(GString *s, const OutView *v, int w, int h)
{
	const AttacheRecord *r = v->rec;
	const char *alt = alt_for_img(r);
	g_autofree char *fallback = g_strdup_printf("No alt text: %s, %s",
		r->file, r->preset ? r->preset : "?");
	if (v->href) {
		/* the faces and masks drawn over it (review-regions.c) */
		g_string_append(s, "<div class=\"shot\"><img src=\"");
		esc(s, v->href);
		g_string_append_printf(s, "\" width=\"%d\" height=\"%d\" alt=\"", w,
			h);
		esc(s, alt ? alt : fallback);
		g_string_append(s, "\">");
		attache__review_regions_overlay(s, r);
		g_string_append(s, "</div>");
	}
	else {
		g_string_append(s, "<div class=\"noimg\" role=\"img\" aria-label=\"");
		esc(s, alt ? alt : fallback);
		g_string_append(s, "\">No preview: ");
		esc(s, v->image_error);
		g_string_append(s, "</div>");
	}
}

/* Preset, platform and size against the preset's. */
static void
write_dims(GString *s, const OutView *v)
{
	const AttacheRecord *r = v->rec;
	g_string_append(s, "<div><span class=\"preset\">");
	esc(s, r->preset ? r->preset : "?");
	g_string_append(s, "</span>");
	if (v->preset && v->preset->platform) {
		g_string_append(s, " <span class=\"muted\">(");
		esc(s, v->preset->platform);
		g_string_append(s, ")</span>");
	}
	g_string_append_printf(s, " · <span class=\"dims\">%d × %d px</span>",
		r->width, r->height);
	if (v->preset && v->preset->width > 0 && (v->preset->width != r->width || v->preset->height != r->height))
		g_string_append_printf(s,
			" <span class=\"muted\">(preset %d × %d)</span>",
			v->preset->width, v->preset->height);
	g_string_append(s, "</div>");
}

/* Bytes against the budget, and the quality reached. */
static void
write_budget(GString *s, const OutView *v)
{
	const AttacheRecord *r = v->rec;
	g_autofree char *sz = size_text(r->bytes);
	g_autofree char *mx = size_text(r->max_bytes);
	int pct = r->max_bytes > 0 ? (int)(100.0 * r->bytes / r->max_bytes + 0.5)
							   : 0;
	g_string_append_printf(s,
		"<div class=\"budget\">%s of %s budget (%d %%)"
		"<meter min=\"0\" max=\"%" G_GINT64_FORMAT "\" value=\"%" G_GINT64_FORMAT
		"\" high=\"%" G_GINT64_FORMAT "\"></meter></div>",
		sz, mx, pct, MAX(r->max_bytes, 1), r->bytes,
		MAX(r->max_bytes, 1) * 9 / 10);
	g_string_append(s, "<div class=\"quality\">");
	esc(s, r->format ? r->format : "?");
	gboolean png = r->format && g_str_equal(r->format, "png");
	if (png && r->quality >= 100)
		g_string_append(s, ", lossless");
	else if (png && r->quality > 0)
		g_string_append_printf(s, ", palette quality %d", r->quality);
	else if (r->quality > 0) {
		g_string_append_printf(s, ", quality %d", r->quality);
		if (v->preset)
			g_string_append_printf(s,
				" <span class=\"muted\">(allowed %d–%d)</span>",
				v->preset->quality_min, v->preset->quality_max);
	}
	else
		g_string_append(s, ", lossless");
	g_string_append(s, "</div>");
}

/* The words --scan-text read in the photo, in the order read: "the photo
 * shows text: WATER POINT 3", and whether this output shows them (a crop
 * may leave them out, --protect text fills them). */
static void
write_text_found(GString *s, const OutView *v)
{
	const GPtrArray *t = v->rec->text_found;
	if (!t || !t->len)
		return;
	guint shown = 0, masked = 0;
	g_string_append(s, "<div class=\"text-found\" data-text-found=\"");
	for (guint i = 0; i < t->len; i++) {
		const AttacheRegion *r = t->pdata[i];
		if (i)
			g_string_append_c(s, ' ');
		esc(s, r->text ? r->text : "");
		shown += r->in_output && !r->masked;
		masked += r->masked;
	}
	g_string_append(s, "\">The photo shows text: <strong dir=\"auto\">");
	for (guint i = 0; i < t->len; i++) {
		const AttacheRegion *r = t->pdata[i];
		if (i)
			g_string_append_c(s, ' ');
		esc(s, r->text ? r->text : "");
	}
	g_string_append(s, "</strong>");
	if (masked == t->len)
		g_string_append(s, " <span class=\"muted\">(masked in every output)</span>");
	else if (!shown)
		g_string_append(s, " <span class=\"muted\">(not in this output's frame)</span>");
	else
		g_string_append(s, " <span class=\"muted\">(it may name the place: mask it with a region, or --protect text)</span>");
	g_string_append(s, "</div>");
}

/* One output's figure: image, size, budget, flags, notes, audit (again,
 * now), approval, file and hash. */
static void
write_output(GString *s, const OutView *v)
{
	const AttacheRecord *r = v->rec;
	int w = MAX(r->width, 1), h = MAX(r->height, 1);

	write_figure_tag(s, v, w, h);
	write_image(s, v, w, h);
	g_string_append(s, "<figcaption>");
	write_dims(s, v);
	write_budget(s, v);
	attache__review_regions_summary(s, r);
	write_flags(s, v);
	write_text_found(s, v);
	write_notes(s, v);

	if (!v->audit_error && v->audit && !(v->audit->kinds & ATTACHE_KINDS_FORBIDDEN))
		g_string_append(s, "<div>Audit: <span class=\"verdict clean\" "
						   "data-audit=\"clean\">clean</span> <span "
						   "class=\"muted\">(checked again now)</span></div>");
	else
		g_string_append(s, "<div>Audit: <span class=\"verdict failed\" "
						   "data-audit=\"failed\">FAILED</span></div>");

	write_approval(s, v);
	g_string_append(s, "<div class=\"sha\"><span class=\"muted\">File "
					   "</span><code>");
	esc_name(s, r->file);
	g_string_append(s, "</code><br><span class=\"muted\">SHA-256 "
					   "</span><code>");
	esc(s, v->sha_now ? v->sha_now : r->sha256);
	g_string_append(s, "</code></div></figcaption></figure>\n");
}

/* One alt text in one language against every platform of its outputs. */
static AltState
write_alt_row(GString *s, const AltGroup *g, const char *lang,
	const char *text, gboolean expected_missing, gboolean have_default)
{
	AltState state = ALT_OK;
	AttacheAltCheck c = { 0 };
	if (text)
		attache__record_check_alt(text, g->rec, 0, &c);
	glong chars = c.chars;
	int limit = 0;
	GString *over = g_string_new(NULL);

	if (!text || c.blank)
		state = ALT_MISSING;
	else if (c.repeats_name)
		state = ALT_FILENAME;
	for (guint i = 0; i < g->outputs->len; i++) {
		const OutView *v = g->outputs->pdata[i];
		int l = v->preset ? v->preset->alt_max_chars : 0;
		if (l > 0 && (limit == 0 || l < limit))
			limit = l;
		if (text && l > 0 && chars > l) {
			g_string_append_printf(over, "%s%s (%d)", over->len ? ", " : "",
				v->rec->preset, l);
			if (state == ALT_OK)
				state = ALT_OVER;
		}
	}
	static const char *state_names[] = { "ok", "missing", "filename",
		"over" };
	g_string_append_printf(s, "<li class=\"alt %s\" data-state=\"%s\" "
							  "data-lang=\"",
		state_names[state], state_names[state]);
	esc(s, lang);
	g_string_append_printf(s, "\" data-chars=\"%ld\" data-limit=\"%d\">",
		chars, limit);
	g_string_append(s, "<span class=\"lang\">");
	esc(s, lang);
	g_string_append(s, "</span>");

	if (state == ALT_MISSING) {
		g_string_append(s, "<span class=\"mark\">✗ Missing alt text</span>");
		if (expected_missing && have_default)
			g_string_append(s, " <span class=\"muted\">(readers in this "
							   "language get the x-default text)</span>");
		else if (!expected_missing)
			g_string_append(s, " <span class=\"muted\">(screen-reader users "
							   "get nothing)</span>");
	}
	else {
		g_string_append(s, "<p class=\"alt-text\" dir=\"auto\" lang=\"");
		esc(s, g_ascii_strcasecmp(lang, "x-default") ? lang : "");
		g_string_append(s, "\">");
		esc(s, text);
		g_string_append(s, "</p>");
		if (state == ALT_FILENAME)
			g_string_append(s, "<div class=\"mark\">✗ Only repeats the file "
							   "name: describe what the photo shows</div>");
	}
	g_string_append_printf(s, "<div class=\"count%s\">%ld characters",
		state == ALT_OVER ? " over" : "", chars);
	if (limit > 0)
		g_string_append_printf(s, " of %d allowed", limit);
	else
		g_string_append(s, " <span class=\"muted\">(no platform limit "
						   "known)</span>");
	if (over->len) {
		g_string_append(s, " — over the limit of ");
		esc(s, over->str);
	}
	g_string_append(s, "</div></li>");
	g_string_free(over, TRUE);
	return state;
}

/* The alt texts of one group; returns whether any needs attention. */
static gboolean
write_alt_group(GString *s, const AltGroup *g, gboolean label,
	char **expected)
{
	const AttacheRecord *r = g->rec;
	gboolean attention = FALSE;

	if (label) {
		g_string_append(s, "<p class=\"muted\">For ");
		for (guint i = 0; i < g->outputs->len; i++) {
			const OutView *v = g->outputs->pdata[i];
			if (i)
				g_string_append(s, ", ");
			esc(s, v->rec->preset);
		}
		g_string_append(s, ":</p>");
	}
	/* several languages, each output's x-default its own language's
	 * text: that text is in its language's row */
	g_autoptr(GPtrArray) group_langs = langs_of(g->outputs);
	gboolean own_default = group_langs->len > 1;
	for (guint i = 0; own_default && i < g->outputs->len; i++)
		own_default = default_is_own(((const OutView *)g->outputs->pdata[i])->rec);
	if (own_default)
		g_string_append(s, "<p class=\"muted x-default-own\">Each language's "
						   "output gives its own language's text as the "
						   "default (x-default).</p>");
	g_string_append(s, "<ul class=\"alts\">");
	if (r->alt->len == 0)
		attention |= write_alt_row(s, g, "x-default", NULL, FALSE, FALSE) != ALT_OK;
	for (guint i = 0; i < r->alt->len; i++) {
		const AttacheAlt *a = r->alt->pdata[i];
		if (own_default && g_str_equal(a->lang, "x-default"))
			continue;
		attention |= write_alt_row(s, g, a->lang, a->text, FALSE, FALSE) != ALT_OK;
	}
	/* languages the posts go out in but the alt text lacks */
	gboolean have_default = attache__record_alt(r, "x-default") != NULL;
	g_autoptr(GPtrArray) langs = g_ptr_array_new();
	for (guint i = 0; i < group_langs->len; i++)
		if (*(const char *)group_langs->pdata[i])
			g_ptr_array_add(langs, group_langs->pdata[i]);
	for (int i = 0; expected && expected[i]; i++)
		g_ptr_array_add(langs, expected[i]);
	for (guint i = 0; i < langs->len; i++) {
		const char *l = langs->pdata[i];
		gboolean dup = FALSE;
		for (guint k = 0; k < i; k++)
			dup |= !g_ascii_strcasecmp(langs->pdata[k], l);
		if (dup || attache__record_alt(r, l) || r->alt->len == 0)
			continue;
		write_alt_row(s, g, l, NULL, TRUE, have_default);
		attention = TRUE;
	}
	g_string_append(s, "</ul>");
	if (r->alt_long && *r->alt_long) {
		g_string_append_printf(s, "<p><strong>Long description</strong> "
								  "(%ld characters):</p><p class=\"alt-long\" "
								  "dir=\"auto\">",
			g_utf8_strlen(r->alt_long, -1));
		esc(s, r->alt_long);
		g_string_append(s, "</p>");
	}
	return attention;
}

static void
write_kinds(GString *s, char **names, const char *none)
{
	if (!names || !names[0]) {
		g_string_append(s, "<span class=\"muted\">");
		esc(s, none);
		g_string_append(s, "</span>");
		return;
	}
	for (int i = 0; names[i]; i++) {
		if (i)
			g_string_append(s, ", ");
		g_string_append(s, "<span data-kind=\"");
		esc(s, names[i]);
		g_string_append(s, "\">");
		esc(s, kind_label(names[i]));
		g_string_append(s, "</span>");
	}
}

/* The photo's heading: its name, path, campaign, language, preparer. */
static void
write_photo_head(GString *s, const PhotoView *p, int index)
{
	const AttacheRecord *r0 = ((const OutView *)p->outputs->pdata[0])->rec;
	g_string_append_printf(s, "<section class=\"photo%s\" id=\"photo-%d\" "
							  "data-input=\"",
		p->attention ? " needs-attention" : "", index);
	esc_name(s, p->input ? p->input : "");
	g_string_append(s, "\"><h2><bdi>");
	if (p->input) {
		g_autofree char *base = g_path_get_basename(p->input);
		esc_name(s, base);
	}
	else
		g_string_append(s, "(source photo not recorded)");
	g_string_append(s, "</bdi></h2><p class=\"muted\">");
	if (p->input) {
		g_string_append(s, "<bdi>");
		esc_name(s, p->input);
		g_string_append(s, "</bdi> · ");
	}
	g_string_append(s, "Campaign: <span class=\"campaign\">");
	esc(s, r0->campaign ? r0->campaign : "none");
	g_autoptr(GPtrArray) langs = langs_of(p->outputs);
	gboolean several = langs->len > 1;
	g_string_append_printf(s, "</span> · Language%s: <span class=\"lang\">", several ? "s" : "");
	for (guint i = 0; i < langs->len; i++) {
		const char *l = langs->pdata[i];
		if (i)
			g_string_append(s, ", ");
		esc(s, *l ? l : "not set");
	}
	g_string_append(s, "</span> · Prepared by <span class=\"by\">");
	esc(s, r0->prepared_by ? r0->prepared_by : "(nobody recorded)");
	g_string_append(s, "</span>");
	if (r0->prepared_at) {
		g_autofree char *t = when(r0->prepared_at);
		g_string_append(s, ", ");
		esc(s, t);
	}
	g_string_append(s, "</p>");
}

/* Adds each of @names not in @set yet, in order. */
static void
add_new_names(GPtrArray *set, char **names)
{
	for (int k = 0; names[k]; k++)
		if (!g_ptr_array_find_with_equal_func(set, names[k], g_str_equal, NULL))
			g_ptr_array_add(set, names[k]);
}

/* The privacy section: the audit's verdict over every output, what left
 * the photo and what stayed (the union over its outputs), the credit. */
static void
write_privacy(GString *s, const PhotoView *p)
{
	const OutView *first = p->outputs->pdata[0];
	g_autoptr(GPtrArray) removed = g_ptr_array_new();
	g_autoptr(GPtrArray) kept = g_ptr_array_new();
	gboolean clean = TRUE;
	for (guint i = 0; i < p->outputs->len; i++) {
		const OutView *v = p->outputs->pdata[i];
		add_new_names(removed, v->rec->removed);
		add_new_names(kept, v->rec->kept);
		clean &= !v->audit_error && v->audit && !(v->audit->kinds & ATTACHE_KINDS_FORBIDDEN);
	}
	g_ptr_array_add(removed, NULL);
	g_ptr_array_add(kept, NULL);

	g_string_append(s, "<h3>Privacy</h3><dl class=\"privacy\"><div><dt>Audit "
					   "verdict</dt><dd>");
	if (clean)
		g_string_append(s, "<span class=\"verdict clean\" "
						   "data-audit=\"clean\">clean</span>: no location, "
						   "serial number, owner or other forbidden metadata "
						   "in any output (read again now)");
	else
		g_string_append(s, "<span class=\"verdict failed\" "
						   "data-audit=\"failed\">FAILED</span>: see the "
						   "outputs marked above; they must not be "
						   "published");
	g_string_append(s, "</dd></div><div><dt>Removed from the photo</dt><dd "
					   "class=\"removed\">");
	write_kinds(s, (char **)removed->pdata, "nothing found to remove");
	g_string_append(s, "</dd></div><div><dt>Kept</dt><dd class=\"kept\">");
	write_kinds(s, (char **)kept->pdata, "nothing");
	/* the credit itself, as the audit reads it in the first output */
	if (first->audit)
		for (guint i = 0; i < first->audit->findings->len; i++) {
			const AttacheFinding *f = first->audit->findings->pdata[i];
			if (f->kind != ATTACHE_KIND_CREDIT || !f->value)
				continue;
			g_string_append(s, "<br><span class=\"credit\">");
			esc(s, f->where);
			g_string_append(s, ": <bdi>");
			esc(s, f->value);
			g_string_append(s, "</bdi></span>");
		}
	g_string_append(s, "</dd></div></dl>");
}

/* The photo's outputs, one group per language when it was made in
 * several (each group's heading its language), else as they come. */
static void
write_outputs_by_lang(GString *s, const PhotoView *p)
{
	g_autoptr(GPtrArray) langs = langs_of(p->outputs);
	if (langs->len <= 1) {
		g_string_append(s, "<div class=\"outputs\">\n");
		for (guint i = 0; i < p->outputs->len; i++)
			write_output(s, p->outputs->pdata[i]);
		g_string_append(s, "</div>\n");
		return;
	}
	g_string_append(s, "<div class=\"lang-groups\">\n");
	for (guint k = 0; k < langs->len; k++) {
		const char *l = langs->pdata[k];
		/* the group's basis: its outputs' side by side (.output's basis) */
		double basis = 0;
		for (guint i = 0; i < p->outputs->len; i++) {
			const AttacheRecord *r = ((const OutView *)p->outputs->pdata[i])->rec;
			if (g_str_equal(r->lang ? r->lang : "", l))
				basis += (basis > 0 ? 12 : 0) + (double)MAX(r->width, 1) / MAX(r->height, 1) * 220 + 18;
		}
		g_string_append_printf(s, "<div class=\"lang-group\" style=\"--gb:%dpx\" data-lang=\"", (int)basis);
		esc(s, l);
		g_string_append(s, "\"><h3 class=\"lang-head\">");
		esc(s, *l ? l : "No language");
		g_string_append(s, "</h3>\n<div class=\"outputs\">\n");
		for (guint i = 0; i < p->outputs->len; i++) {
			const OutView *v = p->outputs->pdata[i];
			if (g_str_equal(v->rec->lang ? v->rec->lang : "", l))
				write_output(s, v);
		}
		g_string_append(s, "</div></div>\n");
	}
	g_string_append(s, "</div>\n");
}

/* One photo's section: heading, outputs, alt text, privacy. Marks the
 * outputs (and the photo) whose alt text needs attention. */
static void
write_photo(GString *s, PhotoView *p, int index, char **expected)
{
	/* alt text first: its verdict marks the outputs */
	GString *alts = g_string_new(NULL);
	for (guint i = 0; i < p->groups->len; i++) {
		const AltGroup *g = p->groups->pdata[i];
		if (write_alt_group(alts, g, p->groups->len > 1, expected))
			for (guint k = 0; k < g->outputs->len; k++)
				((OutView *)g->outputs->pdata[k])->attention = TRUE;
	}
	for (guint i = 0; i < p->outputs->len; i++)
		p->attention |= ((OutView *)p->outputs->pdata[i])->attention;

	write_photo_head(s, p, index);
	write_outputs_by_lang(s, p);
	g_string_append(s, "<h3>Alt text</h3>");
	g_string_append_len(s, alts->str, (gssize)alts->len);
	g_string_free(alts, TRUE);
	write_privacy(s, p);
	g_string_append(s, "</section>\n");
}

/* The photo @r's output belongs to in @photos, made on first sight (in
 * the order first seen) and indexed by input in @by_input. (transfer
 * none) */
static PhotoView *
photo_of(const AttacheRecord *r, GPtrArray *photos, GHashTable *by_input)
{
	const char *key = r->input ? r->input : "";
	PhotoView *p = g_hash_table_lookup(by_input, key);
	if (p)
		return p;
	p = g_new0(PhotoView, 1);
	p->input = r->input;
	p->outputs = g_ptr_array_new();
	p->groups = g_ptr_array_new_with_free_func((GDestroyNotify)altgroup_free);
	g_hash_table_insert(by_input, (gpointer)key, p);
	g_ptr_array_add(photos, p);
	return p;
}

/* Adds @v to the group of @p's outputs with the same alt text as @r, a
 * new group when there is none yet. */
static void
group_alt(PhotoView *p, const AttacheRecord *r, OutView *v)
{
	AltGroup *g = NULL;
	for (guint k = 0; k < p->groups->len && !g; k++)
		if (same_alt(((AltGroup *)p->groups->pdata[k])->rec, r))
			g = p->groups->pdata[k];
	if (!g) {
		g = g_new0(AltGroup, 1);
		g->rec = r;
		g->outputs = g_ptr_array_new();
		g_ptr_array_add(p->groups, g);
	}
	g_ptr_array_add(g->outputs, v);
}

/* Every output still in the folder as an OutView in @views (owned there),
 * grouped by source photo into @photos (PhotoView*, owned there). */
static void
gather_outputs(const AttacheManifest *m, GPtrArray *approvals,
	const char *approvals_error, const AttachePresetSet *presets,
	const AttacheReviewOptions *opts, const char *page_dir, GPtrArray *views,
	GPtrArray *photos)
{
	g_autoptr(GHashTable) by_input = g_hash_table_new(g_str_hash,
		g_str_equal);
	for (guint i = 0; i < m->latest->len; i++) {
		const AttacheRecord *r = m->latest->pdata[i];
		OutView *v = outview_new(m, r, approvals, approvals_error, presets,
			opts, page_dir);
		g_ptr_array_add(views, v);
		PhotoView *p = photo_of(r, photos, by_input);
		g_ptr_array_add(p->outputs, v);
		group_alt(p, r, v);
		gboolean forbidden = v->audit && (v->audit->kinds & ATTACHE_KINDS_FORBIDDEN);
		v->flags = g_ptr_array_new();
		attache__record_flags(r, v->preset, opts->languages, v->changed,
			v->audit_error || forbidden, v->flags);
		v->severity = attache__flags_severity(v->flags);
		v->attention = v->flags->len || !v->href;
	}
}

/* The counts at the top of the page and in *summary. */
static AttacheReviewSummary
summarize(const AttacheManifest *m, gboolean approvals_damaged,
	GPtrArray *photos, GPtrArray *views)
{
	AttacheReviewSummary sum = { 0 };
	sum.photos = (int)photos->len;
	sum.outputs = (int)views->len;
	sum.damaged = (int)m->damaged->len + (approvals_damaged ? 1 : 0);
	sum.failed = (int)m->failed->len;
	for (guint i = 0; i < views->len; i++) {
		const OutView *v = views->pdata[i];
		sum.attention += v->attention;
		sum.changed += v->changed;
		sum.approved += v->approval->state == ATTACHE_APPROVAL_APPROVED;
		sum.blocking += v->severity == ATTACHE_SEVERITY_BLOCKING;
		sum.needs_yes += v->severity == ATTACHE_SEVERITY_NEEDS_YES;
	}
	/* photos, as prep's summary counts them */
	for (guint i = 0; i < photos->len; i++) {
		const PhotoView *p = photos->pdata[i];
		gboolean none = FALSE;
		for (guint k = 0; k < p->outputs->len && !none; k++) {
			const OutView *v = p->outputs->pdata[k];
			none = g_ptr_array_find_with_equal_func(v->flags, "alt-missing", g_str_equal, NULL);
		}
		sum.without_alt += none;
	}
	return sum;
}

/* From the doctype to the header's counts. */
static void
write_head(GString *s, const char *dir, const AttacheReviewSummary *sum)
{
	g_autofree char *dir_abs = g_canonicalize_filename(dir, NULL);
	g_autofree char *dir_name = g_path_get_basename(dir_abs);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *now_s = g_date_time_format(now, "%Y-%m-%d %H:%M UTC");

	g_string_append(s, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
					   "<meta charset=\"utf-8\">\n"
					   "<meta name=\"viewport\" content=\"width=device-width, "
					   "initial-scale=1\">\n"
					   "<meta http-equiv=\"Content-Security-Policy\" "
					   "content=\"default-src 'none'; img-src 'self' file: "
					   "data:; style-src 'unsafe-inline'\">\n"
					   "<meta name=\"referrer\" content=\"no-referrer\">\n"
					   "<meta name=\"generator\" content=\"attache " ATTACHE_VERSION
					   "\">\n<title>Review: ");
	esc_name(s, dir_name);
	g_string_append_printf(s, " (%d photos, %d outputs)</title>\n<style>\n%s"
							  "</style>\n</head>\n<body>\n<header>\n<h1>Review: "
							  "<bdi>",
		sum->photos, sum->outputs, css);
	esc_name(s, dir_abs);
	g_string_append(s, "</bdi></h1>\n<div class=\"summary\">");
	g_string_append_printf(s,
		"<span data-count=\"photos\">%d photo%s</span>"
		"<span data-count=\"outputs\">%d output%s</span>"
		"<span data-count=\"attention\">%d need%s attention</span>"
		"<span data-count=\"blocking\">%d blocked</span>"
		"<span data-count=\"needs-yes\">%d need%s a deliberate yes</span>"
		"<span data-count=\"without-alt\">%d photo%s without alt text</span>"
		"<span data-count=\"failed\">%d photo%s failed</span>"
		"<span data-count=\"approved\">%d approved</span>"
		"<span class=\"muted\">made %s by attache %s</span></div>\n",
		sum->photos, sum->photos == 1 ? "" : "s", sum->outputs,
		sum->outputs == 1 ? "" : "s", sum->attention,
		sum->attention == 1 ? "s" : "", sum->blocking, sum->needs_yes,
		sum->needs_yes == 1 ? "s" : "", sum->without_alt,
		sum->without_alt == 1 ? "" : "s", sum->failed,
		sum->failed == 1 ? "" : "s", sum->approved, now_s, ATTACHE_VERSION);
}

/* The damaged manifest lines, approvals.json and presets, when any. */
static void
write_problems(GString *s, const AttacheManifest *m, const GError *aerr,
	const GError *perr)
{
	if (!m->damaged->len && !aerr && !perr)
		return;
	g_string_append(s, "<ul class=\"problems\">");
	for (guint i = 0; i < m->damaged->len; i++) {
		g_string_append(s, "<li data-problem=\"manifest\">");
		esc(s, m->damaged->pdata[i]);
		g_string_append(s, ": upload --require-approval refuses this "
						   "folder until it is repaired</li>");
	}
	if (aerr) {
		g_string_append(s, "<li data-problem=\"approvals\">");
		esc(s, aerr->message);
		g_string_append(s, "</li>");
	}
	if (perr) {
		g_string_append(s, "<li data-problem=\"presets\">The presets "
						   "could not be read, so alt-text limits are not "
						   "shown: ");
		esc(s, perr->message);
		g_string_append(s, "</li>");
	}
	g_string_append(s, "</ul>\n");
}

/* Links to the photos that need attention, naming their outputs that do. */
static void
write_attention_list(GString *s, GPtrArray *photos)
{
	g_string_append(s, "<ul class=\"attention-list\">");
	for (guint i = 0; i < photos->len; i++) {
		const PhotoView *p = photos->pdata[i];
		if (!p->attention)
			continue;
		g_string_append_printf(s, "<li><a href=\"#photo-%u\">", i + 1);
		if (p->input) {
			g_autofree char *base = g_path_get_basename(p->input);
			esc_name(s, base);
		}
		else
			g_string_append(s, "(unknown source)");
		g_string_append(s, "</a>: ");
		gboolean comma = FALSE;
		g_autoptr(GPtrArray) langs = langs_of(p->outputs);
		for (guint k = 0; k < p->outputs->len; k++) {
			const OutView *v = p->outputs->pdata[k];
			if (!v->attention)
				continue;
			if (comma)
				g_string_append(s, ", ");
			comma = TRUE;
			esc(s, v->rec->preset);
			if (langs->len > 1 && v->rec->lang) { /* x-landscape (fr) */
				g_string_append(s, " (");
				esc(s, v->rec->lang);
				g_string_append(s, ")");
			}
			g_string_append_printf(s, " <span class=\"sev-word\" data-severity=\"%s\">(%s)</span>",
				attache_severity_name(v->severity), severity_words(v->severity));
		}
		g_string_append(s, "</li>");
	}
	g_string_append(s, "</ul>\n");
}

/* Where the original of failure @f is now: the hot folder's failed/, or
 * where attache prep read it (it is not moved). */
static void
write_failure_place(GString *s, const AttacheFailure *f)
{
	/* as the line says: a path from the folder's manifest is not looked
	 * up (the page may be shared; it must not tell what exists) */
	if (f->original) {
		g_string_append(s, "<div>The original is in <code class=\"original\"><bdi>");
		esc_name(s, f->original);
		g_string_append(s, "</bdi></code>");
		if (f->error_file) {
			g_string_append(s, ", with what went wrong in <code class=\"error-file\"><bdi>");
			esc_name(s, f->error_file);
			g_string_append(s, "</bdi></code>");
		}
		g_string_append(s, ".</div>");
	}
	else if (f->input) {
		g_string_append(s, "<div>The original is where attache prep read it: "
						   "<code class=\"original\"><bdi>");
		esc_name(s, f->input);
		g_string_append(s, "</bdi></code>.</div>");
	}
}

/* The photos that gave no output (failure lines not followed by outputs
 * of the same photo): name, reason, where the original is. */
static void
write_failures(GString *s, const AttacheManifest *m)
{
	if (!m->failed->len)
		return;
	g_string_append_printf(s, "<section class=\"failures\" id=\"failed\"><h2>%u photo%s failed: "
							  "no output was made</h2><ul>",
		m->failed->len, m->failed->len == 1 ? "" : "s");
	for (guint i = 0; i < m->failed->len; i++) {
		const AttacheFailure *f = m->failed->pdata[i];
		g_autofree char *base = f->input ? g_path_get_basename(f->input) : g_strdup("(photo not recorded)");
		g_string_append(s, "<li class=\"failure\" data-input=\"");
		esc_name(s, f->input ? f->input : "");
		g_string_append(s, "\" data-code=\"");
		esc(s, f->code ? f->code : "");
		g_string_append(s, "\"><strong class=\"name\"><bdi>");
		esc_name(s, base);
		g_string_append(s, "</bdi></strong>: <span class=\"reason\">");
		esc(s, f->reason ? f->reason : f->error ? f->error
												: "failed");
		g_string_append(s, "</span>");
		if (f->reason && f->error) {
			g_string_append(s, " <span class=\"muted error\">(");
			esc(s, f->error);
			g_string_append(s, ")</span>");
		}
		write_failure_place(s, f);
		if (f->prepared_at) {
			g_autofree char *t = when(f->prepared_at);
			g_string_append(s, "<div class=\"muted\">");
			esc(s, t);
			g_string_append(s, "</div>");
		}
		g_string_append(s, "</li>");
	}
	g_string_append(s, "</ul></section>\n");
}

/* The whole page, given the photos' sections in @body. (transfer full) */
static char *
write_page(const char *dir, const AttacheManifest *m, const GError *aerr,
	const GError *perr, GPtrArray *photos, const AttacheReviewSummary *sum,
	const GString *body)
{
	GString *s = g_string_new(NULL);
	write_head(s, dir, sum);
	write_problems(s, m, aerr, perr);
	if (sum->attention)
		write_attention_list(s, photos);
	g_string_append(s, "<p class=\"howto\">To approve what you have seen: "
					   "<code>attache approve ");
	esc_name(s, dir);
	g_string_append(s, " --by YOUR-NAME</code> approves every output but "
					   "those that need a deliberate yes (approve each with "
					   "<code>--output NAME</code>, or all of them with "
					   "<code>--include-flagged</code>) and the blocked ones, "
					   "which are never approved. An approval holds for these "
					   "exact bytes: an output changed later must be approved "
					   "again, and whoever prepared an output cannot approve "
					   "it.</p>\n</header>\n<main>\n");
	write_failures(s, m);
	if (!photos->len && !m->failed->len)
		g_string_append(s, "<p>No outputs: the manifest lists none that is "
						   "still in the folder.</p>\n");
	g_string_append_len(s, body->str, (gssize)body->len);
	g_string_append(s, "</main>\n</body>\n</html>\n");
	return g_string_free(s, FALSE);
}

/* The folder's manifest, which must exist. @out: (transfer full), set also
 * on failure. */
static AttacheCode
load_manifest(const char *dir, AttacheManifest **out, GError **error)
{
	AttacheCode code = attache__manifest_load(dir, out, error);
	if (code)
		return code;
	if (!(*out)->exists) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_INPUT,
			"%s: no attache-manifest.jsonl: not a folder attache prep wrote "
			"outputs to",
			dir);
		return ATTACHE_E_INPUT;
	}
	return ATTACHE_OK;
}

AttacheCode
attache_review_build(const char *dir, const char *page,
	const AttacheReviewOptions *opts_in, char **html,
	AttacheReviewSummary *summary, GError **error)
{
	g_autoptr(AttacheManifest) m = NULL;
	g_autoptr(GPtrArray) approvals = NULL;
	g_autoptr(GError) aerr = NULL;
	AttachePresetSet *own_presets = NULL;
	AttacheReviewOptions *own_opts = NULL;
	AttacheCode code;

	*html = NULL;
	if (summary)
		memset(summary, 0, sizeof(*summary));
	if ((code = load_manifest(dir, &m, error)))
		return code;
	const AttacheReviewOptions *opts = opts_in
										   ? opts_in
										   : (own_opts = attache_review_options_new());
	attache_approvals_load(dir, &approvals, &aerr);
	const AttachePresetSet *presets = opts->presets;
	g_autoptr(GError) perr = NULL;
	if (!presets && !attache_preset_set_load(NULL, NULL, &own_presets, &perr))
		presets = own_presets;

	g_autofree char *page_path = page ? g_strdup(page)
									  : g_build_filename(dir, "review.html",
										  NULL);
	g_autofree char *page_abs = g_canonicalize_filename(page_path, NULL);
	g_autofree char *page_dir = g_path_get_dirname(page_abs);

	/* each output, grouped by source photo in the order first seen */
	g_autoptr(GPtrArray) views = g_ptr_array_new_with_free_func(
		(GDestroyNotify)outview_free);
	g_autoptr(GPtrArray) photos = g_ptr_array_new_with_free_func(
		(GDestroyNotify)photoview_free);
	gather_outputs(m, approvals, aerr ? aerr->message : NULL, presets, opts,
		page_dir, views, photos);

	/* the photos' sections first: they settle what needs attention */
	GString *body = g_string_new(NULL);
	for (guint i = 0; i < photos->len; i++)
		write_photo(body, photos->pdata[i], (int)i + 1, opts->languages);
	AttacheReviewSummary sum = summarize(m, aerr != NULL, photos, views);
	*html = write_page(dir, m, aerr, perr, photos, &sum, body);
	g_string_free(body, TRUE);

	if (summary)
		*summary = sum;
	attache_preset_set_free(own_presets);
	attache_review_options_free(own_opts);
	return ATTACHE_OK;
}

AttacheCode
attache_review_write(const char *dir, const char *page,
	const AttacheReviewOptions *opts, AttacheReviewSummary *summary,
	GError **error)
{
	g_autofree char *html = NULL;
	g_autofree char *path = page ? g_strdup(page)
								 : g_build_filename(dir, "review.html", NULL);
	AttacheCode code = attache_review_build(dir, path, opts, &html, summary,
		error);
	if (code)
		return code;
	return attache_write_atomic(path, html, strlen(html), error);
}
