/* SPDX-License-Identifier: MIT */
/*
 * prep.c: the pipeline for one photo. The only file that knows the order of
 * the stages:
 *
 *   load (shrink-on-load, once) -> orient -> colour -> for each preset
 *   and language: alt text (resolved and checked once) -> fit -> brand ->
 *   encode to budget -> metadata whitelist + alt text -> audit -> atomic
 *   write
 *
 * The photo is decoded once, at the largest scale any preset needs; every
 * output, in every language (--lang fr,ar,zh), is made from those pixels
 * in memory.
 */
#include "private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

AttachePrepOptions *
attache_prep_options_new(void)
{
	AttachePrepOptions *o = g_new0(AttachePrepOptions, 1);
	o->presets = g_ptr_array_new_with_free_func(
		(GDestroyNotify)attache_preset_free);
	o->out_dir = g_strdup("out");
	o->fit = -1;
	o->crop = -1;
	o->keep = ATTACHE_KEEP_CREDIT;
	o->max_pixels = 100000000;
	o->max_input_bytes = (gint64)256 * 1024 * 1024;
	o->write_manifest = TRUE;
	o->preset_threads = 1;
	return o;
}

void
attache_prep_options_free(AttachePrepOptions *o)
{
	if (!o)
		return;
	g_ptr_array_unref(o->presets);
	g_free(o->out_dir);
	g_free(o->lang);
	g_free(o->alt_text);
	g_free(o->alt_long);
	if (o->manifest)
		g_hash_table_unref(o->manifest);
	attache_campaign_free(o->campaign);
	g_free(o->prepared_by);
	attache_memory_budget_unref(o->memory);
	attache__options_given_free(o->given);
	if (o->masks)
		g_ptr_array_unref(o->masks);
	g_free(o);
}

void
attache_prep_options_add_preset(AttachePrepOptions *opts,
	const AttachePreset *preset)
{
	g_ptr_array_add(opts->presets, attache__preset_copy(preset));
}

static void
bytes_unref0(GBytes *b)
{
	if (b)
		g_bytes_unref(b);
}

static void
fail(AttacheOutput *o, AttacheCode code, const char *msg)
{
	o->code = code;
	g_free(o->error);
	o->error = g_strdup(msg);
	g_clear_pointer(&o->output, g_free);
}

/* Which kinds the policy lets an output carry. */
static guint
allowed_kinds(guint keep)
{
	return attache_keep_allowed_kinds(keep);
}

static guint
kept_kinds(const AttacheKept *k, GPtrArray *alt, const char *alt_long)
{
	guint kinds = 0;
	if (k->artist || k->copyright || k->xmp_creator || k->xmp_rights)
		kinds |= ATTACHE_KIND_CREDIT;
	if (k->datetime_original)
		kinds |= ATTACHE_KIND_DATETIME;
	if (k->make || k->model)
		kinds |= ATTACHE_KIND_CAMERA;
	if ((alt && alt->len) || (alt_long && *alt_long))
		kinds |= ATTACHE_KIND_ALTTEXT;
	return kinds;
}

/* The privacy gate: re-read the encoded bytes with the independent reader
 * and refuse anything the policy does not allow. */
static AttacheCode
audit_gate(const guint8 *data, gsize len, guint keep, const char *what,
	GError **error)
{
	g_autoptr(AttacheAuditReport) r = NULL;
	g_autoptr(GError) local = NULL;

	if (attache_audit_buffer(data, len, &r, &local)) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUDIT,
			"%s: the output cannot be re-read by the audit (%s); not written",
			what, local->message);
		return ATTACHE_E_AUDIT;
	}
	guint policy = ATTACHE_KIND_CREDIT | ATTACHE_KIND_DATETIME | ATTACHE_KIND_CAMERA;
	guint bad = r->kinds & (ATTACHE_KINDS_FORBIDDEN | (policy & ~allowed_kinds(keep)));
	if (!bad)
		return ATTACHE_OK;

	const AttacheFinding *first = NULL;
	for (guint i = 0; i < r->findings->len && !first; i++) {
		const AttacheFinding *f = r->findings->pdata[i];
		if (f->kind & bad)
			first = f;
	}
	g_autofree char *kinds = attache_kinds_to_string(bad);
	g_set_error(error, ATTACHE_ERROR, ATTACHE_E_AUDIT,
		"%s: the output failed the privacy audit (%s: %s); not written", what,
		kinds, first ? first->where : "?");
	return ATTACHE_E_AUDIT;
}

static void
fit_params(const AttachePrepOptions *opts, const AttachePreset *p,
	AttacheFitParams *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->width = p->width;
	fp->height = p->height;
	fp->pixels = p->fit_pixels;
	fp->fit = opts->fit >= 0 ? (AttacheFit)opts->fit : p->fit;
	/* a pixel budget without a box has no frame to cover or pad: it
	 * keeps the whole photo whatever --fit says (docs/presets.md) */
	if (p->fit_pixels && (p->width <= 0 || p->height <= 0))
		fp->fit = ATTACHE_FIT_INSIDE;
	fp->crop = opts->crop >= 0 ? (AttacheCrop)opts->crop : p->crop;
	if (opts->have_focus && opts->crop < 0)
		fp->crop = ATTACHE_CROP_FOCUS;
	fp->pad = p->pad;
	memcpy(fp->pad_colour, p->pad_colour, sizeof(fp->pad_colour));
	fp->upscale = p->upscale;
	fp->have_focus = opts->have_focus;
	fp->focus_x = opts->focus_x;
	fp->focus_y = opts->focus_y;
}

/* What every output of one photo is made from: read-only while the
 * outputs are made, possibly in parallel. */
typedef struct {
	const AttachePrepOptions *opts;
	const char *input, *stem;
	GPtrArray *langs; /* char*, the languages made; empty: none (borrowed) */
	guint nlang;	  /* outputs per preset: langs->len, at least 1 */
	char *input_sha256;
	VipsImage *base, *proxy;
	/* the photo at full size, for the one preset (stream_preset) that
	 * needs every pixel when no other does, decoded apart (and freed with
	 * that output's photo) so that the others are made from a decode at
	 * half size; -1 and NULL: every output is made from @base */
	int stream_preset;
	VipsImage *stream;		  /* read once: sequential (stream_whole()) */
	const AttacheSource *src; /* while the outputs are made (borrowed) */
	int ow, oh;				  /* the oriented photo's full size */
	GPtrArray *alt;			  /* every language's alt text, x-default first */
	GBytes *exif_block;
	GPtrArray *lang_alt; /* per language: its alt (x-default its own text) */
	GPtrArray *lang_xmp; /* per language: its XMP packet (GBytes*) or NULL */
	guint removed, kept;
	guint flags;		/* the photo's own, for every output (alt-names-place) */
	GPtrArray *own_alt; /* its PHOTO.attache.ini's alt text, or NULL */
	gboolean have_pf;
	double pfx, pfy; /* the photo's focus point */
	gboolean have_att;
	double atx, aty; /* its centre of attention */
	/* AttacheRegion*, fractions of the upright photo: the faces found
	 * (NULL: not looked for), the regions filled solid before any fit,
	 * the text read (NULL: not looked for) */
	GPtrArray *faces, *masks, *text_found;
	GPtrArray *hand;				 /* the boxes given by hand (--mask, mask =), or NULL */
	const AttachePhotoSettings *own; /* its PHOTO.attache.ini, or NULL */
	GPtrArray *outs;
	GMutex lock; /* guards first, first_error */
	AttacheCode first;
	GError *first_error;
} Photo;

static void
photo_fail(Photo *ph, AttacheOutput *o, AttacheCode code, const char *msg)
{
	fail(o, code, msg);
	g_mutex_lock(&ph->lock);
	if (!ph->first) {
		ph->first = code;
		g_set_error_literal(&ph->first_error, ATTACHE_ERROR, code, msg);
	}
	g_mutex_unlock(&ph->lock);
}

/* The output at @path was written but its manifest line was not (@why):
 * it is taken back, and the output fails. */
static void
unrecorded(Photo *ph, AttacheOutput *o, const char *label,
	const char *path, const GError *why)
{
	g_autofree char *msg = g_strdup_printf("%s: %s: not written, since it "
										   "could not be recorded: %s",
		ph->input, label, why->message);
	/* a file left behind would be an output nobody can tell the preparer
	 * of: say so rather than drop the error */
	if (g_unlink(path) != 0 && errno != ENOENT) {
		int e = errno;
		g_autofree char *more = g_strdup_printf("%s (and %s could not be "
												"removed: %s)",
			msg, path, g_strerror(e));
		photo_fail(ph, o, ATTACHE_E_WRITE, more);
		return;
	}
	photo_fail(ph, o, ATTACHE_E_WRITE, msg);
}

/* The fit of preset @p for this photo; @place receives where the fitted
 * image lies in the frame (the focus point follows it). */
static void
output_fit_params(const Photo *ph, const AttachePreset *p,
	AttacheFitParams *fp, double *place)
{
	fit_params(ph->opts, p, fp);
	fp->source_width = ph->ow;
	fp->source_height = ph->oh;
	fp->proxy = ph->proxy;
	fp->have_attention = ph->have_att;
	fp->attention_x = ph->atx;
	fp->attention_y = ph->aty;
	fp->faces = ph->faces;
	fp->place = place;
}

/* The budget search of preset @p. The budget is for the whole file: it
 * leaves room for the metadata spliced in after encoding (and its segment
 * or chunk headers). */
static AttacheEncodeParams
output_encode_params(const Photo *ph, const AttachePreset *p, GBytes *xmp)
{
	gint64 reserve = 64;
	if (ph->exif_block)
		reserve += (gint64)g_bytes_get_size(ph->exif_block) + 16;
	if (xmp)
		reserve += (gint64)g_bytes_get_size(xmp) + 48;
	AttacheEncodeParams ep = { p->format, p->fallback, p->max_bytes,
		p->quality_max, p->quality_min, p->min_side,
		VIPS_MIN(reserve, p->max_bytes / 2) };
	return ep;
}

/* The output @o written at @path from @enc: what it is, and where the
 * photo's focus point landed in it (@place: the fitted image's place in
 * the @fitted frame). */
static void
output_fill(const Photo *ph, AttacheOutput *o, const char *path,
	const AttacheEncoded *enc, guint flags, const VipsImage *fitted,
	const double *place, const AttacheHeads *heads, GPtrArray *alt)
{
	o->output = g_strdup(path);
	o->width = enc->width;
	o->height = enc->height;
	o->bytes = (gint64)enc->len;
	o->format = enc->format;
	o->quality = enc->quality;
	o->flags = flags | enc->flags | ph->flags;
	o->removed = ph->removed;
	o->kept = ph->kept;
	o->sha256 = attache__sha256_hex(enc->data, enc->len);
	o->alt = attache__alt_copy(alt);
	o->alt_long = g_strdup(ph->opts->alt_long);
	o->code = ATTACHE_OK;
	o->rotate = ph->opts->rotate;
	/* each region's box in this output's own pixels, for the review
	 * sheet and the desk */
	o->faces = attache__regions_in_output(ph->faces, place, fitted->Xsize, fitted->Ysize, enc->width, enc->height);
	o->regions = attache__regions_in_output(ph->hand, place, fitted->Xsize, fitted->Ysize, enc->width, enc->height);
	o->text_found = attache__regions_in_output(ph->text_found, place, fitted->Xsize, fitted->Ysize, enc->width,
		enc->height);
	/* flagged where the text shows: not where the crop left it out or
	 * --protect text filled it */
	for (guint i = 0; o->text_found && i < o->text_found->len; i++) {
		const AttacheRegion *t = o->text_found->pdata[i];
		if (t->in_output && !t->masked)
			o->flags |= ATTACHE_FLAG_SHOWS_TEXT;
	}
	/* the faces it keeps, when it keeps any and the user gave no point */
	gboolean faces = heads->kept > 0 && !ph->opts->have_focus;
	double pfx = faces ? heads->cx : ph->pfx, pfy = faces ? heads->cy : ph->pfy;
	if ((ph->have_pf || faces) && place[2] > 0 && place[3] > 0) {
		double fx = (place[0] + pfx * place[2]) / fitted->Xsize;
		double fy = (place[1] + pfy * place[3]) / fitted->Ysize;
		if (fx >= 0 && fx <= 1 && fy >= 0 && fy <= 1) {
			o->have_focus = TRUE;
			o->focus_x = fx;
			o->focus_y = fy;
		}
	}
}

/* The language of output @j of a preset, or NULL. */
static const char *
lang_at(const Photo *ph, guint j)
{
	return j < ph->langs->len ? ph->langs->pdata[j] : NULL;
}

/* STEM.PRESET.EXT, or STEM.PRESET.LANG.EXT when the run makes several
 * languages. (transfer full) */
static char *
output_name(const Photo *ph, const AttachePreset *p, guint j,
	AttacheFormat format)
{
	const char *ext = attache_format_extension(format);
	if (ph->langs->len > 1)
		return g_strdup_printf("%s.%s.%s.%s", ph->stem, p->name, lang_at(ph, j), ext);
	return g_strdup_printf("%s.%s.%s", ph->stem, p->name, ext);
}

/* Where output @j of preset @p in @format goes, OUT/NAME: the one place
 * that names outputs, for the run and its --dry-run. (transfer full) */
static char *
output_path(const Photo *ph, const AttachePreset *p, guint j,
	AttacheFormat format)
{
	g_autofree char *name = output_name(ph, p, j, format);
	return g_build_filename(ph->opts->out_dir, name, NULL);
}

/* The streamed photo's pixels again, decoded whole (random access),
 * coloured and masked as photo_decode() and photo_mask() made the stream:
 * for a second read of it, which a stream cannot give. @out: (transfer
 * full). */
static AttacheCode
stream_whole(const Photo *ph, VipsImage **out, GError **error)
{
	g_autoptr(VipsImage) full = NULL, srgb = NULL;
	gboolean same;
	AttacheCode code = attache__load_full(ph->src, FALSE, &full, error);
	if (!code)
		code = attache__colour(full, &srgb, &same, error);
	if (code)
		return code;
	if (ph->masks && ph->masks->len)
		return attache__mask(srgb, ph->masks, out, error);
	*out = g_steal_pointer(&srgb);
	return ATTACHE_OK;
}

/* Output @i's pixels, from @from: fit, brand, encode under budget, the
 * metadata spliced in. *@fitted and *@enc: (transfer full) on success;
 * *@enc's data is freed on failure. */
static AttacheCode
output_pixels(Photo *ph, guint i, VipsImage *from, AttacheFitParams *fp,
	VipsImage **fitted, AttacheEncoded *enc, guint *flags, GError **error)
{
	const AttachePrepOptions *opts = ph->opts;
	const AttachePreset *p = opts->presets->pdata[i / ph->nlang];
	guint j = i % ph->nlang;
	AttacheOutput *o = ph->outs->pdata[i];
	g_autoptr(VipsImage) branded = NULL;
	AttacheEncodeParams ep = output_encode_params(ph, p, ph->lang_xmp->pdata[j]);

	AttacheCode code = attache__fit(from, fp, fitted, flags, error);
	/* a campaign's layers are blended from the pixels under them: a
	 * second reader of the fitted image, which makes libvips read a
	 * stream out of order. Then it is read once, in order, into memory:
	 * less than the decode it stands for (8.3 of 12 MP for mastodon) */
	if (!code && from == ph->stream && opts->campaign) {
		VipsImage *mem = vips_image_copy_memory(*fitted);
		g_object_unref(*fitted);
		if (!(*fitted = mem))
			code = attache__vips_error(error, ATTACHE_E_IMAGE, "fit");
	}
	if (!code && opts->campaign)
		code = attache__brand(opts->campaign, p, lang_at(ph, j), *fitted, &branded, o->warnings, error);
	if (!code)
		code = attache__encode(branded ? branded : *fitted, &ep, enc, error);
	if (!code)
		code = attache__embed(enc->format, &enc->data, &enc->len, ph->exif_block, ph->lang_xmp->pdata[j],
			enc->width, enc->height, error);
	if (code)
		g_clear_pointer(&enc->data, g_free);
	return code;
}

/* Output @i's pixels (output_pixels()) from the photo at the scale it
 * needs. The streamed preset's are read once, top to bottom: when that is
 * not enough (the budget search encodes again; libvips failed a read out
 * of order under load), they are made again from a whole decode. */
static AttacheCode
output_made(Photo *ph, guint i, AttacheFitParams *fp, VipsImage **fitted,
	AttacheEncoded *enc, guint *flags, GError **error)
{
	AttacheOutput *o = ph->outs->pdata[i];
	gboolean streamed = (int)(i / ph->nlang) == ph->stream_preset;
	guint warned = o->warnings->len;
	AttacheCode code = output_pixels(ph, i, streamed ? ph->stream : ph->base, fp, fitted, enc, flags, error);
	if (!code || !streamed)
		return code;
	g_autoptr(VipsImage) whole = NULL;
	g_clear_error(error);
	g_clear_object(fitted);
	vips_error_clear();
	g_ptr_array_set_size(o->warnings, warned); /* said again */
	if ((code = stream_whole(ph, &whole, error)))
		return code;
	return output_pixels(ph, i, whole, fp, fitted, enc, flags, error);
}

/* One output, of preset i / nlang in language i % nlang: fit, brand,
 * encode under budget, metadata, audit, atomic write, manifest line.
 * Fills outs[i]. */
static void
prep_output(Photo *ph, guint i)
{
	const AttachePrepOptions *opts = ph->opts;
	const AttachePreset *p = opts->presets->pdata[i / ph->nlang];
	guint j = i % ph->nlang;
	const char *lang = lang_at(ph, j);
	GPtrArray *alt = ph->lang_alt->pdata[j];
	AttacheOutput *o = ph->outs->pdata[i];
	/* what messages call it: x-landscape, or x-landscape (fr) */
	g_autofree char *label = ph->langs->len > 1 ? g_strdup_printf("%s (%s)", p->name, lang) : g_strdup(p->name);
	AttacheFitParams fp;
	AttacheEncoded enc = { 0 };
	g_autoptr(VipsImage) fitted = NULL;
	g_autoptr(GError) e2 = NULL;
	guint flags = 0;
	double place[4] = { 0 };
	AttacheHeads heads = { 0 };

	output_fit_params(ph, p, &fp, place);
	fp.heads = &heads;

	/* the stages, in order: each runs when all before it succeeded */
	AttacheCode code = attache__alt_check_preset(alt, p, &e2);
	if (!code)
		code = output_made(ph, i, &fp, &fitted, &enc, &flags, &e2);
	if (code) {
		g_autofree char *msg = g_strdup_printf("%s: %s: %s", ph->input,
			label, e2->message);
		photo_fail(ph, o, code, msg);
		return;
	}
	/* the metadata added must not push it over the budget */
	if ((gint64)enc.len > p->max_bytes) {
		g_autofree char *msg = g_strdup_printf(
			"%s: %s: %zu bytes with metadata, over max-bytes %" G_GINT64_FORMAT,
			ph->input, label, enc.len, p->max_bytes);
		photo_fail(ph, o, ATTACHE_E_BUDGET, msg);
		g_free(enc.data);
		return;
	}

	g_autofree char *path = output_path(ph, p, j, enc.format);
	g_autofree char *name = g_path_get_basename(path);
	g_autofree char *what = g_strdup_printf("%s: %s", ph->input, label);

	code = audit_gate(enc.data, enc.len, opts->keep, what, &e2);
	if (!code)
		code = attache__output_may_replace(opts->out_dir, name, o, &e2);
	if (!code)
		code = attache_write_atomic(path, enc.data, enc.len, &e2);
	if (code) {
		photo_fail(ph, o, code, e2->message);
		g_free(enc.data);
		return;
	}
	output_fill(ph, o, path, &enc, flags, fitted, place, &heads, alt);
	g_free(enc.data);

	/* an output nobody can tell the preparer of is not an output: the
	 * gate would refuse it, and review would not list it */
	if (opts->write_manifest && !attache__manifest_append_output(opts->out_dir, o, &e2))
		unrecorded(ph, o, label, path, e2);
}

static void
output_worker(gpointer data, gpointer user)
{
	prep_output(user, GPOINTER_TO_UINT(data) - 1);
}

AttacheCode
attache_prep_photo(const AttachePrepOptions *opts, const char *input,
	GPtrArray **outputs, GError **error)
{
	return attache_prep_photo_as(opts, input, NULL, outputs, error);
}

/* One result per preset and language (@langs, char*; empty: none), in
 * that order, each naming the photo, its preset, its language and who
 * prepares it, to be filled or failed. (transfer full) */
static GPtrArray *
outputs_new(const AttachePrepOptions *opts, const char *input,
	GPtrArray *langs)
{
	GPtrArray *outs = g_ptr_array_new_with_free_func(
		(GDestroyNotify)attache_output_free);
	guint nlang = MAX(1, langs->len);
	for (guint i = 0; i < opts->presets->len * nlang; i++) {
		const AttachePreset *p = opts->presets->pdata[i / nlang];
		const char *lang = i % nlang < langs->len ? langs->pdata[i % nlang] : NULL;
		AttacheOutput *o = g_new0(AttacheOutput, 1);
		o->input = g_strdup(input);
		o->preset = g_strdup(p->name);
		o->max_bytes = p->max_bytes;
		o->format = p->format;
		o->prepared_by = g_strdup(opts->prepared_by);
		o->lang = g_strdup(lang);
		o->campaign = opts->campaign
						  ? g_strdup(attache_campaign_name(opts->campaign))
						  : NULL;
		o->warnings = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(outs, o);
	}
	return outs;
}

/* The alt text of @ph's photo (every source, checked before any pixel is
 * decoded); its warnings go to every output. */
static AttacheCode
photo_alt(Photo *ph, GError **error)
{
	g_autoptr(GPtrArray) warnings = NULL;
	AttacheCode code = attache__alt_resolve(ph->opts, ph->input, ph->own_alt,
		&ph->alt, &warnings, error);
	if (code)
		return code;
	for (guint i = 0; i < ph->outs->len; i++) {
		AttacheOutput *o = ph->outs->pdata[i];
		for (guint w = 0; w < warnings->len; w++)
			g_ptr_array_add(o->warnings, g_strdup(warnings->pdata[w]));
	}
	return ATTACHE_OK;
}

/* Whether alt[@i] is x-default holding a language's text (its copy, when
 * no language-neutral text was given): warned about once, as that
 * language. */
static gboolean
same_as_a_language(GPtrArray *alt, guint i)
{
	const AttacheAlt *a = alt->pdata[i];
	for (guint k = 0; g_str_equal(a->lang, "x-default") && k < alt->len; k++)
		if (k != i && g_str_equal(a->text, ((AttacheAlt *)alt->pdata[k])->text))
			return TRUE;
	return FALSE;
}

/* Alt text that names a place the photo's own metadata named (audit @r
 * of the original): the GPS is gone, but the text would still say where.
 * Flags every output and warns once per language (places.c). */
static void
photo_places(Photo *ph, const AttacheAuditReport *r)
{
	g_autoptr(GPtrArray) places = attache__places_from_report(r);
	if (!places->len)
		return;
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; ph->alt && i < ph->alt->len; i++) {
		const AttacheAlt *a = ph->alt->pdata[i];
		const char *place = attache__alt_names_place(a->text, places);
		if (place && !same_as_a_language(ph->alt, i))
			g_ptr_array_add(warnings, g_strdup_printf("alt text (%s) names \"%s\", where the photo's metadata says "
													  "it was taken: removing the GPS does not help if the alt text "
													  "says it",
										  a->lang, place));
	}
	const char *place = attache__alt_names_place(ph->opts->alt_long, places);
	if (place)
		g_ptr_array_add(warnings, g_strdup_printf("the long description names \"%s\", where the photo's "
												  "metadata says it was taken",
									  place));
	if (warnings->len)
		ph->flags |= ATTACHE_FLAG_ALT_NAMES_PLACE;
	for (guint i = 0; i < ph->outs->len; i++) {
		AttacheOutput *o = ph->outs->pdata[i];
		for (guint w = 0; w < warnings->len; w++)
			g_ptr_array_add(o->warnings, g_strdup(warnings->pdata[w]));
	}
	g_ptr_array_unref(warnings);
}

/* The metadata blocks every output carries (the whitelist and the alt
 * text), and what the photo carried, for the "removed" report. Returns
 * the kinds kept. */
static guint
photo_metadata(Photo *ph, const AttacheSource *src, guint *in_kinds)
{
	const AttachePrepOptions *opts = ph->opts;
	/* A photo whose metadata cannot be read still goes through: nothing
	 * is copied from it but the whitelist, which tolerates damage. */
	gsize len;
	const guint8 *d = g_bytes_get_data(src->bytes, &len);
	g_autoptr(AttacheAuditReport) r = NULL;
	*in_kinds = 0;
	if (attache_audit_buffer(d, len, &r, NULL) == ATTACHE_OK) {
		*in_kinds = r->kinds;
		photo_places(ph, r);
	}

	gsize el = 0, xl = 0;
	const guint8 *e = src->exif ? g_bytes_get_data(src->exif, &el) : NULL;
	const char *x = src->xmp ? g_bytes_get_data(src->xmp, &xl) : NULL;
	g_autoptr(AttacheKept) kept = attache__kept_read(e, el, x, xl, opts->keep);
	ph->exif_block = attache__exif_build(kept);
	/* each language's output carries every language's alt text, with its
	 * own as x-default when the run makes several (a single language
	 * keeps the x-default it always had: docs/alt-text.md) */
	ph->lang_alt = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	ph->lang_xmp = g_ptr_array_new_with_free_func((GDestroyNotify)bytes_unref0);
	for (guint j = 0; j < ph->nlang; j++) {
		GPtrArray *alt = ph->langs->len > 1 ? attache__alt_for_lang(ph->alt, lang_at(ph, j))
											: attache__alt_copy(ph->alt);
		g_ptr_array_add(ph->lang_alt, alt);
		g_ptr_array_add(ph->lang_xmp, attache__xmp_build(kept, alt, opts->alt_long));
	}
	return kept_kinds(kept, ph->alt, opts->alt_long);
}

/* Whether the photo's text is read: --scan-text, the campaign's
 * scan-text = yes, or protect text from anywhere. */
static gboolean
text_wanted(const AttachePrepOptions *opts)
{
	return opts->scan_text || attache__campaign_scans_text(opts->campaign) || (opts->protect & ATTACHE_PROTECT_TEXT);
}

/* The preset whose one output alone needs a JPEG's every pixel (mastodon:
 * 8.3 MP), when the others and the analyses (@floor: the faces' and the
 * text's scale) need at most half of them (*@others: the largest scale
 * they need, at least the half at which the photo is checked), or -1.
 * That output gets its own full decode
 * (attache__load_full()); the others, and the damage checks, the decode
 * at half size: a resize from 4x fewer pixels for each of them, instead of
 * all of them from the full decode. An upright photo only (a turn of the
 * full decode would be one more copy of it). */
static int
photo_stream_preset(const Photo *ph, const AttacheSource *src,
	const double *scales, double floor, double *others)
{
	const AttachePrepOptions *opts = ph->opts;
	int full = -1, nfull = 0;
	*others = floor;
	if (src->format != ATTACHE_SRC_JPEG || src->orientation > 1 || opts->rotate || ph->nlang > 1)
		return -1;
	for (guint i = 0; i < opts->presets->len; i++) {
		if (attache__load_jpeg_shrink(src, scales[i]) == 1) {
			full = (int)i;
			nfull++;
		}
		else
			*others = VIPS_MAX(*others, scales[i]);
	}
	/* an analysis that needs the full decode too: one decode serves all */
	if (nfull != 1 || attache__load_jpeg_shrink(src, *others) == 1)
		return -1;
	*others = VIPS_MAX(*others, 0.5);
	return full;
}

/* Decodes the photo once, at the largest scale any preset needs (or the
 * one streamed preset aside, photo_stream_preset()), within the memory
 * budget (@hold), oriented and in sRGB: @ph->base. */
static AttacheCode
photo_decode(Photo *ph, const AttacheSource *src, AttacheMemoryHold *hold,
	gboolean *converted, GError **error)
{
	const AttachePrepOptions *opts = ph->opts;
	ph->stream_preset = -1;
	attache__oriented_size(src->width, src->height, src->orientation, &ph->ow,
		&ph->oh);
	if (opts->rotate == 90 || opts->rotate == 270) {
		int t = ph->ow;
		ph->ow = ph->oh;
		ph->oh = t;
	}
	double scale = 0, others = 0;
	g_autofree double *scales = g_new(double, MAX(1, opts->presets->len));
	for (guint i = 0; i < opts->presets->len; i++) {
		AttacheFitParams fp;
		fit_params(opts, opts->presets->pdata[i], &fp);
		scales[i] = VIPS_MIN(1.0, attache__fit_needed_scale(&fp, ph->ow, ph->oh));
		scale = VIPS_MAX(scale, scales[i]);
	}
	/* whatever the presets need, the faces are found on a copy of their
	 * own size, and the text is read at ATTACHE_TEXT_SCAN_SIDE (a sign
	 * Tesseract reads at 1600 px it misreads at 800) */
	double floor = attache__faces_decode_scale(opts, ph->ow, ph->oh);
	if (text_wanted(opts))
		floor = VIPS_MAX(floor, VIPS_MIN(1.0, (double)ATTACHE_TEXT_SCAN_SIDE / VIPS_MAX(1, VIPS_MAX(ph->ow, ph->oh))));
	scale = VIPS_MAX(scale, floor);
	ph->stream_preset = photo_stream_preset(ph, src, scales, floor, &others);
	if (ph->stream_preset >= 0)
		scale = others;
	g_autoptr(VipsImage) loaded = NULL, oriented = NULL, upright = NULL, full = NULL;
	AttacheCode code = attache__memory_take(opts->memory, ph->input,
		attache__decode_estimate(src, scale, ph->outs->len), hold, error);
	if (!code)
		code = attache__load(src, scale, &loaded, error);
	if (!code)
		code = attache__orient(loaded, src->orientation, &oriented, error);
	if (!code)
		code = attache__rotate(oriented, opts->rotate, &upright, error);
	if (!code)
		code = attache__colour(upright, &ph->base, converted, error);
	if (!code && ph->stream_preset >= 0) {
		gboolean same;
		code = attache__load_full(src, TRUE, &full, error);
		if (!code)
			code = attache__colour(full, &ph->stream, &same, error);
	}
	return code;
}

/* Attention's point, moved to the photo's most salient subject when it
 * lies on the photo's edge, the half-size window around it holds clearly
 * less salience and a second measure agrees (salient.c). On the edge,
 * attention was pulled by clutter at the border (the squirrel's leaves);
 * elsewhere it is kept, as salience alone cuts large objects
 * (docs/presets.md). */
static AttacheCode
photo_salient(Photo *ph, GError **error)
{
	const double edge = 0.1;
	if (ph->atx > edge && ph->atx < 1 - edge && ph->aty > edge && ph->aty < 1 - edge)
		return ATTACHE_OK;
	AttacheSalience *s = NULL;
	AttacheCode code = attache__salience_of(ph->proxy, &s, error);
	if (code)
		return code;
	attache__salient_centre(s, 0.5, 0.5, &ph->atx, &ph->aty);
	attache__salience_free(s);
	return ATTACHE_OK;
}

/* Smart crops are decided on a small copy, made once for all presets, and
 * one attention analysis serves the photo (libvips' attention on the
 * proxy, a crop of half its size): every attention crop is centred on it,
 * and it is the photo's focus point for Mastodon unless the user gave
 * one. Measuring once instead of once per preset saves ~10 ms each. */
static AttacheCode
photo_attention(Photo *ph, GError **error)
{
	const AttachePrepOptions *opts = ph->opts;
	gboolean need_proxy = FALSE, need_attention = !opts->have_focus;
	/* attention-only is today's attention, without faces or salience */
	gboolean need_salient = !opts->have_focus;
	for (guint i = 0; i < opts->presets->len; i++) {
		AttacheFitParams fp;
		fit_params(opts, opts->presets->pdata[i], &fp);
		if (fp.fit == ATTACHE_FIT_COVER && fp.crop == ATTACHE_CROP_ENTROPY)
			need_proxy = TRUE;
		if (fp.fit == ATTACHE_FIT_COVER && (fp.crop == ATTACHE_CROP_ATTENTION || fp.crop == ATTACHE_CROP_ATTENTION_ONLY))
			need_attention = TRUE;
		if (fp.crop == ATTACHE_CROP_ATTENTION_ONLY)
			need_salient = FALSE;
		else if (fp.fit == ATTACHE_FIT_COVER && fp.crop == ATTACHE_CROP_ATTENTION)
			need_salient = TRUE;
	}
	AttacheCode code;
	if ((need_proxy || need_attention) && !ph->proxy && (code = attache__fit_proxy(ph->base, &ph->proxy, error)))
		return code;

	ph->atx = ph->aty = 0.5;
	if (need_attention) {
		VipsImage *c = NULL, *proxy = ph->proxy;
		int ax = 0, ay = 0;
		if (vips_smartcrop(proxy, &c, VIPS_MAX(1, proxy->Xsize / 2),
				VIPS_MAX(1, proxy->Ysize / 2), "interesting",
				VIPS_INTERESTING_ATTENTION, "attention_x", &ax, "attention_y",
				&ay, NULL)
			== 0) {
			ph->have_att = TRUE;
			ph->atx = (double)ax / proxy->Xsize;
			ph->aty = (double)ay / proxy->Ysize;
		}
		vips_error_clear();
		if (c)
			g_object_unref(c);
		if (ph->have_att && need_salient && (code = photo_salient(ph, error)))
			return code;
	}
	ph->have_pf = opts->have_focus || ph->have_att;
	ph->pfx = opts->have_focus ? opts->focus_x : ph->atx;
	ph->pfy = opts->have_focus ? opts->focus_y : ph->aty;
	return ATTACHE_OK;
}

/* Copies of @from's regions, masked, added to @to and @also. */
static void
add_masked(GPtrArray *to, GPtrArray *also, const GPtrArray *from)
{
	for (guint i = 0; from && i < from->len && to->len < 4 * ATTACHE_REGIONS_MAX; i++) {
		AttacheRegion *r = attache_region_copy(from->pdata[i]);
		r->masked = TRUE;
		if (also)
			g_ptr_array_add(also, attache_region_copy(r));
		g_ptr_array_add(to, r);
	}
}

/* The mask stage (mask.c), before any output: what it fills is each face
 * found with its head (but those a reviewer's `unmask` leaves, in the
 * photo's own file or the options), the boxes given by hand (--mask,
 * `mask =`) and, with protect text, the text read. Faces it fills are marked masked. A protected photo with no face
 * found is flagged no-face-found; one whose face a reviewer unmasked,
 * faces-visible (docs/masking.md). */
static AttacheCode
photo_mask(Photo *ph, GError **error)
{
	const AttachePrepOptions *opts = ph->opts;
	guint64 unmask = opts->unmask | (ph->own ? ph->own->unmask : 0);
	ph->masks = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
	if (opts->protect & ATTACHE_PROTECT_FACES) {
		if (!ph->faces || !ph->faces->len)
			ph->flags |= ATTACHE_FLAG_NO_FACE_FOUND;
		for (guint i = 0; ph->faces && i < ph->faces->len; i++) {
			AttacheRegion *f = ph->faces->pdata[i];
			if (i < 64 && (unmask & ((guint64)1 << i))) {
				ph->flags |= ATTACHE_FLAG_FACES_VISIBLE;
				continue;
			}
			f->masked = TRUE;
			g_ptr_array_add(ph->masks, attache__region_head(f));
		}
	}
	if (opts->masks || (ph->own && ph->own->masks)) {
		ph->hand = g_ptr_array_new_with_free_func((GDestroyNotify)attache_region_free);
		add_masked(ph->masks, ph->hand, opts->masks);
		add_masked(ph->masks, ph->hand, ph->own ? ph->own->masks : NULL);
	}
	if (opts->protect & ATTACHE_PROTECT_TEXT)
		for (guint i = 0; ph->text_found && i < ph->text_found->len; i++) {
			AttacheRegion *t = ph->text_found->pdata[i];
			t->masked = TRUE;
			g_ptr_array_add(ph->masks, attache_region_copy(t));
		}
	if (!ph->masks->len)
		return ATTACHE_OK;
	VipsImage *masked = NULL;
	AttacheCode code = attache__mask(ph->base, ph->masks, &masked, error);
	if (code)
		return code;
	g_object_unref(ph->base);
	ph->base = masked;
	/* the one preset decoded apart at full size is masked as well: no
	 * output is made from unmasked pixels */
	if (ph->stream) {
		if ((code = attache__mask(ph->stream, ph->masks, &masked, error)))
			return code;
		g_object_unref(ph->stream);
		ph->stream = masked;
	}
	return ATTACHE_OK;
}

/* Every preset's output, in parallel when the options say so; the first
 * failure in *error. */
static AttacheCode
photo_outputs(Photo *ph, GError **error)
{
	const AttachePrepOptions *opts = ph->opts;
	g_mutex_init(&ph->lock);
	int threads = VIPS_MIN(VIPS_MAX(1, opts->preset_threads),
		(int)ph->outs->len);
	if (threads <= 1)
		for (guint i = 0; i < ph->outs->len; i++)
			prep_output(ph, i);
	else {
		/* a lone photo with several presets: one output per core */
		AttachePool *pool = attache__pool_new(output_worker, ph, threads);
		for (guint i = 0; i < ph->outs->len; i++)
			attache__pool_push(pool, GUINT_TO_POINTER(i + 1));
		attache__pool_free(pool);
	}
	g_mutex_clear(&ph->lock);
	if (ph->first_error)
		g_propagate_error(error, g_steal_pointer(&ph->first_error));
	return ph->first;
}

/* --scan-text (or the campaign's scan-text = yes), or protect text from
 * anywhere: the words readable in the upright photo, once for all its
 * outputs, before anything covers or crops them. */
static AttacheCode
photo_text(Photo *ph, GError **error)
{
	const AttachePrepOptions *opts = ph->opts;
	if (!text_wanted(opts))
		return ATTACHE_OK;
	return attache__text_scan(ph->base, ph->langs, &ph->text_found, error);
}

/* What @ph holds of its own (not the outputs). */
static void
photo_clear(Photo *ph)
{
	g_clear_object(&ph->base);
	g_clear_object(&ph->stream);
	g_clear_object(&ph->proxy);
	g_clear_pointer(&ph->input_sha256, g_free);
	g_clear_pointer(&ph->alt, g_ptr_array_unref);
	g_clear_pointer(&ph->exif_block, g_bytes_unref);
	g_clear_pointer(&ph->lang_alt, g_ptr_array_unref);
	g_clear_pointer(&ph->lang_xmp, g_ptr_array_unref);
	g_clear_pointer(&ph->faces, g_ptr_array_unref);
	g_clear_pointer(&ph->masks, g_ptr_array_unref);
	g_clear_pointer(&ph->text_found, g_ptr_array_unref);
	g_clear_pointer(&ph->hand, g_ptr_array_unref);
}

/* Every stage before the outputs, then the outputs. A failure before the
 * outputs fails them all (in @err); theirs are in @ph. */
static AttacheCode
photo_run(Photo *ph, AttacheMemoryHold *hold, GError **err, GError **error)
{
	const AttachePrepOptions *opts = ph->opts;
	g_autoptr(AttacheSource) src = NULL;
	gboolean converted = FALSE;
	guint in_kinds = 0;

	AttacheCode code = attache__source_open(ph->input, opts->max_input_bytes,
		opts->max_pixels, &src, err);
	if (!code)
		code = photo_alt(ph, err);
	if (code)
		return code;
	/* what tells a re-prepared photo from another of the same name */
	ph->input_sha256 = attache__sha256_hex(g_bytes_get_data(src->bytes, NULL), g_bytes_get_size(src->bytes));
	for (guint i = 0; i < ph->outs->len; i++)
		((AttacheOutput *)ph->outs->pdata[i])->input_sha256 = g_strdup(ph->input_sha256);
	guint kept_k = photo_metadata(ph, src, &in_kinds);
	/* the text is read and the faces found and the crops decided on the
	 * photo as it is; then the masks are filled, before any output is
	 * made of it */
	if ((code = photo_decode(ph, src, hold, &converted, err)) || (code = photo_text(ph, err))
		|| (attache__faces_on_proxy(opts) && (code = attache__fit_proxy(ph->base, &ph->proxy, err)))
		|| (code = attache__prep_faces(opts, ph->base, ph->proxy, ph->input, &ph->faces, err))
		|| (code = photo_attention(ph, err)) || (code = photo_mask(ph, err)))
		return code;

	guint forbidden = ATTACHE_KINDS_FORBIDDEN | ATTACHE_KIND_XMP | ATTACHE_KIND_IPTC;
	guint policy = ATTACHE_KIND_CREDIT | ATTACHE_KIND_DATETIME | ATTACHE_KIND_CAMERA;
	ph->removed = (in_kinds & forbidden) | (converted ? ATTACHE_KIND_ICC_CONVERTED : 0);
	ph->removed |= in_kinds & policy & ~kept_k;
	ph->kept = kept_k;
	ph->src = src;
	code = photo_outputs(ph, error);
	/* it reads @src's bytes */
	g_clear_object(&ph->stream);
	ph->src = NULL;
	return code;
}

/* @input's own PHOTO.attache.ini over @opts: @po is a shallow copy of
 * @opts (nothing in it to free) with the photo's rotate and focus, which
 * win over the command line and attache.ini for this photo; its focus
 * makes the crop a focus crop. *@own: (transfer full) the settings. */
static AttacheCode
photo_settings(const AttachePrepOptions *opts, const char *input,
	AttachePrepOptions *po, AttachePhotoSettings **own, GError **error)
{
	*po = *opts;
	/* protection only adds: the campaign's and the photo's own to the
	 * run's (the command line's and attache.ini's) */
	po->protect |= attache__campaign_protect(opts->campaign);
	AttacheCode code = attache__photo_settings_load(input, own, error);
	if (code || !*own)
		return code;
	po->protect |= (*own)->protect;
	if ((*own)->have_rotate)
		po->rotate = (*own)->rotate;
	if ((*own)->have_focus) {
		po->have_focus = TRUE;
		po->focus_x = (*own)->focus_x;
		po->focus_y = (*own)->focus_y;
		po->crop = ATTACHE_CROP_FOCUS;
	}
	return ATTACHE_OK;
}

/* What the run and the plan start from: *@langs, the languages made
 * (--lang's, else the campaign's own; none when they are refused), and
 * *@outputs, one result per preset and language (both transfer full);
 * @po, @opts with the photo's own settings (*@own, transfer full) over
 * it. Returns the first error, in @err. */
static AttacheCode
photo_begin(const AttachePrepOptions *opts, const char *input,
	GPtrArray **langs, GPtrArray **outputs, AttachePrepOptions *po,
	AttachePhotoSettings **own, GError **err)
{
	AttacheCode code = attache__prep_langs(opts, FALSE, langs, err);
	if (code)
		*langs = g_ptr_array_new_with_free_func(g_free);
	*outputs = outputs_new(opts, input, *langs);
	*po = *opts;
	if (!code)
		code = photo_settings(opts, input, po, own, err);
	return code;
}

/* A failure of the whole photo: @err (transfer full), naming the file
 * (the stages, fit, colour, orient, do not know which photo they work
 * on), fails each of @outs and goes to @error. Returns @code. */
static AttacheCode
photo_failed(GPtrArray *outs, const char *input, AttacheCode code,
	GError *err, GError **error)
{
	if (!strstr(err->message, input))
		g_prefix_error(&err, "%s: ", input);
	for (guint i = 0; i < outs->len; i++)
		fail(outs->pdata[i], code, err->message);
	g_propagate_error(error, err);
	return code;
}

AttacheCode
attache_prep_photo_as(const AttachePrepOptions *opts, const char *input,
	const char *stem_in, GPtrArray **outputs, GError **error)
{
	/* first: given back last, once every image of @ph is freed */
	g_auto(AttacheMemoryHold) hold = { NULL, 0 };
	g_autoptr(GError) err = NULL;
	g_autofree char *stem = stem_in ? g_strdup(stem_in) : attache_output_stem(input);
	g_autoptr(GPtrArray) langs = NULL;
	g_autoptr(AttachePhotoSettings) own = NULL;
	AttachePrepOptions po;
	AttacheCode code = photo_begin(opts, input, &langs, outputs, &po, &own, &err);
	GPtrArray *outs = *outputs;
	if (opts->presets->len == 0) {
		g_set_error(error, ATTACHE_ERROR, ATTACHE_E_USAGE, "no preset given");
		return ATTACHE_E_USAGE;
	}
	Photo ph = { .opts = &po, .input = input, .stem = stem, .langs = langs, .nlang = MAX(1, langs->len), .outs = outs };
	ph.own_alt = own ? own->alt : NULL;
	ph.own = own;
	if (!code)
		code = photo_run(&ph, &hold, &err, error);
	photo_clear(&ph);
	if (!err)
		return code; /* the outputs' own results */
	return photo_failed(outs, input, code, g_steal_pointer(&err), error);
}

/* Every stage of attache_prep_photo_as() that reads no pixel: the
 * header (format, limits), the alt text and its checks, the places its
 * metadata names (the languages were checked by attache__prep_langs()).
 * Fails like the run would. */
static AttacheCode
plan_run(Photo *ph, GError **err)
{
	const AttachePrepOptions *opts = ph->opts;
	g_autoptr(AttacheSource) src = NULL;
	AttacheCode code = attache__source_open(ph->input, opts->max_input_bytes,
		opts->max_pixels, &src, err);
	if (!code)
		code = photo_alt(ph, err);
	if (code)
		return code;
	gsize len;
	const guint8 *d = g_bytes_get_data(src->bytes, &len);
	/* which photo this is, for the rule on outputs already there */
	ph->input_sha256 = attache__sha256_hex(g_bytes_get_data(src->bytes, NULL), g_bytes_get_size(src->bytes));
	for (guint i = 0; i < ph->outs->len; i++)
		((AttacheOutput *)ph->outs->pdata[i])->input_sha256 = g_strdup(ph->input_sha256);
	g_autoptr(AttacheAuditReport) r = NULL;
	if (attache_audit_buffer(d, len, &r, NULL) == ATTACHE_OK)
		photo_places(ph, r);
	return ATTACHE_OK;
}

AttacheCode
attache__prep_photo_plan(const AttachePrepOptions *opts, const char *input,
	const char *stem_in, GPtrArray **outputs, GError **error)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *stem = stem_in ? g_strdup(stem_in) : attache_output_stem(input);
	g_autoptr(GPtrArray) langs = NULL;
	g_autoptr(AttachePhotoSettings) own = NULL;
	AttachePrepOptions po;
	AttacheCode code = photo_begin(opts, input, &langs, outputs, &po, &own, &err);
	GPtrArray *outs = *outputs;
	Photo ph = { .opts = &po, .input = input, .stem = stem, .langs = langs, .nlang = MAX(1, langs->len), .outs = outs };
	ph.own_alt = own ? own->alt : NULL;
	ph.own = own;
	if (!code)
		code = plan_run(&ph, &err);
	for (guint i = 0; !code && i < outs->len; i++) {
		const AttachePreset *p = opts->presets->pdata[i / ph.nlang];
		AttacheOutput *o = outs->pdata[i];
		o->output = output_path(&ph, p, i % ph.nlang, p->format);
		o->format = p->format;
		o->flags = ph.flags;
		o->rotate = po.rotate;
		o->alt = attache__alt_copy(ph.alt);
		o->alt_long = g_strdup(opts->alt_long);
		o->code = ATTACHE_OK;
		/* an output the run would refuse to write over what is there */
		g_autoptr(GError) e2 = NULL;
		g_autofree char *name = g_path_get_basename(o->output);
		AttacheCode c2 = attache__output_may_replace(opts->out_dir, name, o, &e2);
		if (c2)
			fail(o, c2, e2->message);
	}
	photo_clear(&ph);
	if (!err)
		return code;
	return photo_failed(outs, input, code, g_steal_pointer(&err), error);
}
