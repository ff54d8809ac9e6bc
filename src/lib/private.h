/* SPDX-License-Identifier: MIT */
/*
 * private.h: declarations shared inside libattache, never installed.
 * Internal names carry the attache__ prefix (libvips' vips__ convention).
 */
#ifndef ATTACHE_PRIVATE_H
#define ATTACHE_PRIVATE_H

#include <vips/vips.h>
#include "attache.h"

G_BEGIN_DECLS

/* g_auto support for VipsImage arrived in libvips 8.16; 8.14 lacks it. */
#if VIPS_MAJOR_VERSION < 8 || (VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION < 16)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VipsImage, g_object_unref)
#endif

G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheAuditReport, attache_audit_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheOutput, attache_output_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttachePreset, attache_preset_free)

/* Sets @error from the libvips error buffer, prefixed with @what, and clears
 * the buffer. Returns @code for `return attache__vips_error(...)`. */
AttacheCode attache__vips_error(GError **error, AttacheCode code,
	const char *what);

/* The line (1-based) of [group] (key NULL) or of key= inside it in a
 * GKeyFile text, for error messages; 0 when not found (preset.c). */
int attache__keyfile_line(const char *text, const char *group,
	const char *key);

/* Resizes @in to exactly @w x @h, lanczos3 (fit.c). @out: (transfer full).
 * Returns 0 or -1 with the libvips error set. */
int attache__resize_exact(VipsImage *in, int w, int h, VipsImage **out);
/* resize.c: @in reduced to exactly @w x @h with lanczos3 by libvips'
 * vertical reducer in both directions, in memory (*@out, transfer full):
 * 0; -1 on error; 1 when it does not apply (not 8-bit, not a reduction
 * by less than 2 both ways, or too large), for vips_resize(). */
int attache__resize_reduce(VipsImage *in, int w, int h, VipsImage **out);

/* A deep copy (preset.c). (transfer full) */
AttachePreset *attache__preset_copy(const AttachePreset *p);

/* The installed presets folder (compiled in), or the source tree's. */
const char *attache__builtin_preset_dir(void);
/* Where `-c NAME` finds the shipped campaigns (demo) after the user's.
 * (transfer none) */
const char *attache__builtin_campaign_dir(void);

/* ---- worker threads that have ended when their pool is freed (pool.c) ---- */
typedef struct AttachePool AttachePool;
AttachePool *attache__pool_new(GFunc func, gpointer data, int threads);
void attache__pool_push(AttachePool *p, gpointer task);
void attache__pool_free(AttachePool *p);

/* ---- bounded, confined reads (safefile.c; docs/security.md) ---- */

/* Limits for the small files attache reads that are not photos. */
#define ATTACHE_MAX_SETTINGS_BYTES (256 * 1024)	   /* .ini, campaigns, presets */
#define ATTACHE_MAX_SIDECAR_BYTES (64 * 1024)	   /* alt-text sidecars, files */
#define ATTACHE_MAX_TABLE_BYTES (16 * 1024 * 1024) /* CSV, manifests, logs */
/* The largest photo attache reads (docs/prep.md; --max-input-bytes may
 * lower it for prep). */
#define ATTACHE_MAX_PHOTO_BYTES ((gint64)256 * 1024 * 1024)

enum {
	ATTACHE_READ_NOFOLLOW = 1 << 0, /* the last component must not be a link */
};

/* Reads a small regular file whole: opened O_NONBLOCK (a FIFO never
 * blocks), fstat on the descriptor, a device, FIFO, socket or folder
 * refused, the size checked before reading and the read capped at
 * @max_bytes. @out: (transfer full), NUL-terminated; @len may be NULL.
 * Errors name @path: ATTACHE_E_INPUT, or ATTACHE_E_LIMIT when too large. */
AttacheCode attache__read_small(const char *path, gsize max_bytes,
	guint flags, char **out, gsize *len, GError **error);
/* The same for a descriptor the caller opened (O_NONBLOCK) and checked:
 * @fd is taken (always closed); @label names the file in messages. */
AttacheCode attache__read_small_fd(int fd, const char *label,
	gsize max_bytes, char **out, gsize *len, GError **error);
/* The same for @rel resolved beneath @dir with no symbolic link anywhere
 * on the way and no escape (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS). */
AttacheCode attache__read_small_beneath(const char *dir, const char *rel,
	gsize max_bytes, char **out, gsize *len, GError **error);
/* openat2(@dirfd, @rel) confined as above; O_CLOEXEC is added. Returns the
 * descriptor (the caller closes it) or -1 with errno (EXDEV: escapes,
 * ELOOP: a link). */
int attache__open_beneath(int dirfd, const char *rel, int flags, mode_t mode);
/* Makes the folders of @rel beneath @dir (each as needed), none of them
 * through a symbolic link: 0, or -1 with errno (ELOOP or ENOTDIR for a
 * link or a file in the way, EXDEV for '..'). Both borrowed. */
int attache__mkdir_beneath(const char *dir, const char *rel);
/* A message for an errno from attache__open_beneath(). Static string. */
const char *attache__beneath_strerror(int e);
/* Opens a photo (or an output) for reading without ever blocking:
 * O_NONBLOCK, fstat on the descriptor, only a regular file, not empty and
 * at most @max_bytes (0: ATTACHE_MAX_PHOTO_BYTES). Returns the descriptor
 * (the caller closes it) and its size in @size, or -1 with @error naming
 * @path (ATTACHE_E_INPUT, or ATTACHE_E_LIMIT when too large). */
int attache__open_photo(const char *path, gint64 max_bytes, gint64 *size,
	GError **error);
/* Reads the photo at @path whole into @out (transfer full), through
 * attache__open_photo() and a read capped at its limit. */
AttacheCode attache__read_photo(const char *path, gint64 max_bytes,
	GBytes **out, GError **error);
/* Whether @path, made absolute and canonical (without following links),
 * lies in @dir or beneath it. */
gboolean attache__path_is_beneath(const char *dir, const char *path);

/* ---- words for people, in six languages (messages.c; data/messages.ini) ---- */

/* The built-in resources (glib-compile-resources, data/attache.gresource.xml).
 * (transfer none) */
GResource *attache__res_get_resource(void);
/* The language of the notes for a tag (en, fr, es, ar, zh, ru; fr-CA is
 * fr), or NULL for another. Static string. */
const char *attache__notes_lang(const char *tag);
/* Message @id in @lang (English when @lang is not one of the six, or the
 * message lacks it; the id itself when unknown), with each {KEY} replaced:
 * then pairs of const char *KEY, VALUE, NULL-terminated. (transfer full) */
char *attache__message(const char *id, const char *lang, ...) G_GNUC_NULL_TERMINATED;
/* Every message in @lang (en, fr, es, ar, zh or ru; another tag falls
 * back to English per message) as one JSON object {id: text}, placeholders
 * left as written: what the review desk's page reads
 * (/desk/messages/LANG.json). NULL for a language attache has no words
 * in. (transfer full) */
char *attache__messages_json(const char *lang);

/* The SHA-256 of @data, lowercase hex, as g_compute_checksum_for_data()
 * gives it, at the speed of the CPU's SHA instructions (sha256.c).
 * (transfer full) */
char *attache__sha256_hex(const void *data, gsize len);

/* ---- stage 1: load (load.c) ---- */

typedef enum {
	ATTACHE_SRC_JPEG,
	ATTACHE_SRC_PNG,
	ATTACHE_SRC_WEBP,
	ATTACHE_SRC_TIFF,
	ATTACHE_SRC_HEIF,
} AttacheSourceFormat;

/* A photo read into memory with its header checked. */
typedef struct {
	char *path;
	GBytes *bytes;
	AttacheSourceFormat format;
	const char *loader;		   /* libvips loader nickname */
	int width, height;		   /* as stored, before orientation */
	int orientation;		   /* EXIF 1..8 still to apply (1 = none) */
	gboolean heif_transformed; /* libheif applied irot/imir */
	gboolean has_icc;
	GBytes *exif; /* the photo's EXIF block as libvips found it, or NULL */
	GBytes *xmp;  /* the photo's XMP packet, or NULL */
	/* from the header, for the memory estimate */
	int bands, sample_bytes;
} AttacheSource;

/* Reads @path, sniffs the format, checks limits from the header alone.
 * @out: (transfer full). */
AttacheCode attache__source_open(const char *path, gint64 max_input_bytes,
	gint64 max_pixels, AttacheSource **out, GError **error);
void attache__source_free(AttacheSource *src);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheSource, attache__source_free)

/* Decodes @src shrunk (on load where the codec allows) so that the oriented
 * image is at least @scale of full size. Pixels as stored (not oriented),
 * in the photo's own colour space. @out: (transfer full). */
AttacheCode attache__load(const AttacheSource *src, double scale,
	VipsImage **out, GError **error);
/* The factor libjpeg shrinks a JPEG @src by when attache__load() decodes
 * it for @scale: 4, 2 or 1 (load.c). */
int attache__load_jpeg_shrink(const AttacheSource *src, double scale);
/* A JPEG @src decoded at full size: for the one output that needs every
 * pixel, once attache__load() has decoded and checked the photo at half
 * size for the others. @sequential: streamed as it is read, once, top to
 * bottom (a few strips in memory); else decoded whole when first read.
 * @out: (transfer full); it reads @src's bytes, which must outlive it. */
AttacheCode attache__load_full(const AttacheSource *src, gboolean sequential,
	VipsImage **out, GError **error);

/* ---- stage 2: orient (orient.c) ---- */

/* Decides the orientation still to apply: EXIF Orientation for most
 * formats; for HEIF, nothing when libheif already applied irot/imir.
 * Reads the header image @header. */
int attache__orientation_decide(AttacheSourceFormat format,
	VipsImage *header, gboolean heif_transformed);
/* Why a decoded picture (@im, in memory, borrowed; a JPEG decoded at
 * 1/@shrink, whose MCUs are @mcu_rows high; @deblocked: the codec smooths
 * its block edges, as all but JPEG do) looks damaged in a way its decoder
 * did not report (damage.c), or NULL. (transfer full) */
char *attache__damage_check(VipsImage *im, int shrink, int mcu_rows,
	gboolean deblocked);
/* A baseline JPEG's decode that stopped short of its data (jpeg-tail.c):
 * the source to decode from, then the check once every row is read. */
/* init.c: @count (nullable) counts, until called again with NULL, the
 * libvips decoders freed in this thread that gave warnings. */
void attache__count_decoder_warnings(int *count);
/* A JPEG's markers walked from SOI, each scan's data skipped to the next
 * marker that is not a restart or a stuffed byte (jpeg-tail.c). */
typedef struct {
	int scans;
	gint64 scan_end; /* offset of the marker ending the last scan, or -1 */
	int height;		 /* the frame header's */
	int mcu_rows;	 /* 8 or 16 (16 when unknown) */
} AttacheJpegLayout;
/* Whether the walk reaches the end-of-image marker (@out filled either
 * way). Truncation is found here, before decoding, on every run: libjpeg
 * reports it only once the decode reaches the end, in whichever thread. */
gboolean attache__jpeg_walk(const guint8 *d, gsize n, AttacheJpegLayout *out);
typedef struct _AttacheJpegTail AttacheJpegTail;
AttacheJpegTail *attache__jpeg_tail_new(const guint8 *data, gsize len);
void attache__jpeg_tail_free(AttacheJpegTail *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheJpegTail, attache__jpeg_tail_free)
VipsSource *attache__jpeg_tail_source(AttacheJpegTail *t);
char *attache__jpeg_tail_check(AttacheJpegTail *t, int shrink);
/* upload/backends.c: the preset that fits @t's limits (a static name), or
 * %NULL for an unknown target; for the batch's hints. */
const char *attache__upload_preset(AttacheTarget t);
/* The height of the JPEG's MCUs (8 or 16 pixels; 16 when unknown). */
int attache__jpeg_tail_mcu_rows(const AttacheJpegTail *t);
/* Why a HEIF file's primary image grid cannot cover the size it claims
 * (too few tiles, tiles too small, a grid and an ispe that disagree), or
 * NULL when it can or is no grid (audit-heif.c). (transfer full) */
char *attache__heif_check_coverage(const guint8 *data, gsize len);
/* Whether a HEIF file has irot or imir boxes (libheif applies them). */
gboolean attache__heif_has_transform(const guint8 *data, gsize len);
/* Applies EXIF orientation @orientation (1..8) to the pixels.
 * @out: (transfer full). */
AttacheCode attache__orient(VipsImage *in, int orientation, VipsImage **out,
	GError **error);
/* Dimensions after orientation. */
void attache__oriented_size(int w, int h, int orientation, int *ow, int *oh);
/* Turns @in @degrees clockwise (0, 90, 180, 270), after the orientation
 * (orient.c). @out: (transfer full). */
AttacheCode attache__rotate(VipsImage *in, int degrees, VipsImage **out,
	GError **error);

/* ---- stage 3: colour (colour.c) ---- */

/* To 8-bit sRGB (3 bands, alpha kept as a 4th band), converting from an
 * embedded ICC profile. Sets *converted when a non-sRGB profile was used.
 * @out: (transfer full). */
AttacheCode attache__colour(VipsImage *in, VipsImage **out,
	gboolean *converted, GError **error);

/* ---- faces (vision/faces.c; the prep stage pipeline/faces.c) ---- */

typedef enum {
	ATTACHE_FACES_DEFAULT = 0,	/* within ~35 ms of CPU per photo */
	ATTACHE_FACES_THOROUGH = 1, /* --protect: higher resolution, more detectors */
} AttacheFacesMode;

/* The faces in @upright_srgb (oriented, sRGB; borrowed), found on a copy
 * sized for @mode (docs/faces.md). *@faces: (transfer full) AttacheRegion*
 * (kind FACE), x, y, w, h fractions of @upright_srgb, score 0..1; empty
 * when none. %ATTACHE_E_IMAGE when the copy cannot be made or a detector
 * cannot run (@what names the photo). */
AttacheCode attache__faces_detect(VipsImage *upright_srgb, int mode,
	const char *what, GPtrArray **faces, GError **error);
/* The long side, px, of the copy @mode detects on, before any enlarging:
 * a decoded photo smaller than that loses faces (docs/faces.md). */
int attache__faces_copy_side(int mode);

/* Whether a prep with @opts needs the photo's faces (not for a crop that
 * ignores them, unless the faces are to be protected). */
gboolean attache__faces_needed(const AttachePrepOptions *opts);
/* The detection mode @opts asks for. */
AttacheFacesMode attache__faces_mode(const AttachePrepOptions *opts);
/* The least scale of the upright photo (@ow x @oh px) its decode may have
 * for the faces @opts needs (0 when it needs none, at most 1). */
double attache__faces_decode_scale(const AttachePrepOptions *opts, int ow, int oh);
/* Whether the faces @opts needs are found on the photo's small copy
 * (attache__fit_proxy()), which prep then makes before them. */
gboolean attache__faces_on_proxy(const AttachePrepOptions *opts);
/* The prep stage: the faces of @base (the decoded photo, borrowed) when
 * @opts needs them, else *@faces = %NULL (not looked for); found on
 * @proxy (@base's small copy, borrowed, or NULL) when it is large enough.
 * *@faces: (transfer full). */
AttacheCode attache__prep_faces(const AttachePrepOptions *opts, VipsImage *base,
	VipsImage *proxy, const char *input, GPtrArray **faces, GError **error);

/* ---- the text in the photo, --scan-text (text-scan.c) ---- */

/* The words readable in @upright (the oriented, turned sRGB photo), read
 * in the languages @langs (char* tags; English always): *@found
 * (transfer full) AttacheRegion* of kind ATTACHE_REGION_TEXT, fractions
 * of @upright. %ATTACHE_E_IMAGE when it cannot be read; @error does not
 * name the photo. */
AttacheCode attache__text_scan(VipsImage *upright, const GPtrArray *langs,
	GPtrArray **found, GError **error);
/* The long side of the copy the text is read on (the photo's, when
 * smaller): prep decodes at least this large when it reads text. */
#define ATTACHE_TEXT_SCAN_SIDE 1600
/* Tesseract's models for @langs (char* tags, may be %NULL): "eng", then
 * each other language it has a model for, "eng+fra+ara". (transfer full) */
char *attache__text_models(const GPtrArray *langs);

/* ---- stage 4: fit (fit.c) ---- */

typedef struct {
	int width, height; /* the box; 0 x 0 with @pixels: no box */
	gint64 pixels;	   /* inside: at most this many pixels, 0 = no budget */
	AttacheFit fit;
	AttacheCrop crop;
	AttachePad pad;
	double pad_colour[3];
	gboolean upscale;
	gboolean have_focus;
	double focus_x, focus_y;
	/* the photo's oriented full size: output sizes are computed from it,
	 * so they do not depend on how far the decoder shrank (0: use the
	 * input image's size) */
	int source_width, source_height;
	/* a small copy of the photo on which attention and entropy are
	 * measured (made once per photo by attache__fit_proxy()); NULL: fit
	 * makes its own */
	VipsImage *proxy;
	/* the photo's centre of attention, fractions of the oriented photo,
	 * measured once per photo: attention crops centre on it instead of
	 * each preset measuring again (FALSE: fit measures on the proxy) */
	gboolean have_attention;
	double attention_x, attention_y;
	/* AttacheRegion* (borrowed): the photo's faces, kept whole by a
	 * face-aware crop and reported cut by the others; NULL or empty:
	 * none known */
	const GPtrArray *faces;
	/* when not NULL, fit says which heads the output keeps whole and
	 * their faces' centre (fit-heads.c) */
	struct _AttacheHeads *heads;
	/* when not NULL, fit says where the whole photo lies in the output:
	 * x, y, width, height in output pixels (cover: partly outside) */
	double *place;
} AttacheFitParams;

/* ---- stage 4: the heads a crop keeps (fit-heads.c) ---- */

/* What a crop did to the photo's heads. */
typedef struct _AttacheHeads {
	/* a head is cut by an edge (or, for a face-aware crop, left out) */
	gboolean cut;
	int kept; /* heads kept whole */
	/* the area-weighted centre of the kept heads' faces, fractions of
	 * the upright photo (when kept > 0): Mastodon's focus point */
	double cx, cy;
} AttacheHeads;

/* The head around @face: the face box, a third of its height above and
 * a tenth of its size on the other sides, clipped to the photo; x, y, w,
 * h fractions of the upright photo in @head. */
void attache__head_box(const AttacheRegion *face, double head[4]);
/* The heads of @faces (AttacheRegion*, fractions; borrowed) against the
 * @w x @h window at (*left, *top) of an @rw x @rh photo. With @move (a
 * face-aware crop) the window is moved to the nearest position that keeps
 * every head whole, or when none does the largest heads; @out says what
 * the window keeps. */
void attache__fit_heads(const GPtrArray *faces, int rw, int rh, int w, int h,
	gboolean move, int *left, int *top, AttacheHeads *out);
/* Whether a fit of @p uses the photo's faces (a face-aware crop, a crop
 * whose cut heads are flagged, or a focus point taken from them): FALSE
 * for --crop attention-only, and for a whole-photo fit with --focus. */
gboolean attache__fit_needs_faces(const AttacheFitParams *p);

/* ---- the salient subject (salient.c, vision/saliency.cc) ---- */

typedef struct _AttacheSalience AttacheSalience;

/* The fine-grained and spectral residual saliency of @proxy (borrowed),
 * on a copy of at most 200 px a side. *@out: (transfer full) free with
 * attache__salience_free(). */
AttacheCode attache__salience_of(VipsImage *proxy, AttacheSalience **out, GError **error);
void attache__salience_free(AttacheSalience *s);
/* Moves the centre (*cx, *cy) of a @fw x @fh window (fractions of the
 * photo) to the centre of the most salient such window in @s (by
 * fine-grained saliency), unless the window at (*cx, *cy) holds nearly as
 * much (95%) or spectral residual finds clearly less (under 90%) in the
 * new one than in it. @s may be NULL. */
void attache__salient_centre(const AttacheSalience *s, double fw, double fh, double *cx, double *cy);

/* The small copy of @in that smart crops are decided on (libvips'
 * attention shrinks to 32 px anyway). @out: (transfer full). */
AttacheCode attache__fit_proxy(VipsImage *in, VipsImage **out,
	GError **error);

/* Scale of the full-size photo (@ow x @oh, oriented) that @p needs. */
double attache__fit_needed_scale(const AttacheFitParams *p, int ow, int oh);
/* Fits @in (oriented, sRGB) to @p. Sets #AttacheFlag bits in *flags.
 * @out: (transfer full), lazy: reads @in when evaluated. */
AttacheCode attache__fit(VipsImage *in, const AttacheFitParams *p,
	VipsImage **out, guint *flags, GError **error);

/* ---- the mask stage (mask.c) ---- */

/* @in (upright, sRGB) with every region of @masks (AttacheRegion*,
 * fractions; borrowed, may be NULL) filled solid, opaque black, rounded
 * outwards to whole pixels. @out: (transfer full), lazy. */
AttacheCode attache__mask(VipsImage *in, const GPtrArray *masks, VipsImage **out, GError **error);

/* ---- stage 7: encode (encode.c) ---- */

typedef struct {
	AttacheFormat format;
	AttacheFormat fallback;
	gint64 max_bytes;
	int quality_max, quality_min;
	int min_side;
	gint64 reserve; /* bytes the metadata will add after encoding */
} AttacheEncodeParams;

typedef struct {
	guint8 *data; /* g_free */
	gsize len;
	AttacheFormat format;
	int quality;
	int width, height;
	guint flags; /* ATTACHE_FLAG_* */
	int encodes; /* how many encodes it took */
} AttacheEncoded;

/* Encodes @in (8-bit sRGB) under @p->max_bytes without metadata: quality
 * search, then downscale steps. Bounded to a few encodes.
 * @out: filled; free out->data with g_free. */
AttacheCode attache__encode(VipsImage *in, const AttacheEncodeParams *p,
	AttacheEncoded *out, GError **error);

/* ---- metadata: reading the input's EXIF (exif.c) ---- */

/* The subset of the input's metadata a keep policy may carry over. */
typedef struct {
	char *artist, *copyright;		/* EXIF IFD0 */
	char *xmp_creator, *xmp_rights; /* XMP dc:creator / dc:rights */
	char *datetime_original;		/* EXIF */
	char *make, *model;				/* IFD0 */
	/* exposure: kept as raw EXIF entries (tag, format, components, data) */
	GPtrArray *exposure;
} AttacheKept;

void attache__kept_free(AttacheKept *k);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheKept, attache__kept_free)

/* Extracts what @keep allows from the EXIF blob @exif (may be NULL) and the
 * XMP packet @xmp (may be NULL). Bounded, never fails: bad data is dropped.
 * Returns: (transfer full). */
AttacheKept *attache__kept_read(const guint8 *exif, gsize exif_len,
	const char *xmp, gsize xmp_len, guint keep);

/* EXIF Orientation (1..8; 1 when absent or invalid) from an EXIF block. */
int attache__exif_orientation(const guint8 *exif, gsize len);

/* Builds a fresh EXIF block (TIFF header onwards, no "Exif\0\0") holding only
 * @k. Returns NULL when there is nothing to write. (transfer full) */
GBytes *attache__exif_build(const AttacheKept *k);

typedef struct _JsonNode JsonNode;
/* What [campaign] protect = requires (#AttacheProtect); 0 for %NULL.
 * A campaign that protects faces "requires protection" (campaign.c). */
guint attache__campaign_protect(const AttacheCampaign *c);

/* ---- pixel protection: its words, boxes and JSON (regions.c) ---- */

/* At most this many regions of each kind per photo (mask =, --mask). */
#define ATTACHE_REGIONS_MAX 64
/* A face's head, for its mask: the box plus this much of its height
 * above and below, and of its width each side. */
#define ATTACHE_HEAD_UP 0.5
#define ATTACHE_HEAD_DOWN 0.3
#define ATTACHE_HEAD_SIDE 0.6

/* "faces", "text" or "faces,text" -> #AttacheProtect bits; FALSE when an
 * item is neither or the list is empty. @out may be NULL. */
gboolean attache__protect_from_string(const char *value, guint *out);
/* "X,Y,W,H X,Y,W,H ..." (commas, semicolons or spaces between numbers)
 * -> AttacheRegion* of kind HAND, clipped to the photo. @out: (transfer
 * full). %ATTACHE_E_USAGE with the value and the box in @error. */
AttacheCode attache__regions_from_string(const char *value, GPtrArray **out, GError **error);
/* "2" or "1,3": face numbers (1..64, in the order of the faces list) ->
 * bit N-1 of *@out. */
AttacheCode attache__unmask_from_string(const char *value, guint64 *out, GError **error);
/* (transfer full) the head around @face: what its mask fills. */
AttacheRegion *attache__region_head(const AttacheRegion *face);
/* Copies of @list (borrowed; NULL gives NULL) with their box in one
 * output: @place, where the fitted image lies in its @fw x @fh frame;
 * @ew x @eh, the size encoded. (transfer full) */
GPtrArray *attache__regions_in_output(const GPtrArray *list, const double *place, int fw, int fh, int ew, int eh);
/* @list as the member @name of the object @b is building: an array of
 * {x, y, w, h, score, masked, in_output} (null when @list is NULL). */
typedef struct _JsonBuilder JsonBuilder;
void attache__regions_to_json(JsonBuilder *b, const char *name, const GPtrArray *list);
/* The regions of a JSON array written by attache__regions_to_json()
 * (a manifest line: untrusted, bounded; a malformed box is left out);
 * NULL when @node is not an array. (transfer full) */
GPtrArray *attache__regions_from_json(JsonNode *node, AttacheRegionKind kind);

/* ---- a photo's own settings, PHOTO.attache.ini (photo-settings.c) ---- */

typedef struct {
	char *path; /* the file, for messages */
	gboolean have_rotate;
	int rotate; /* degrees clockwise */
	gboolean have_focus;
	double focus_x, focus_y; /* fractions of the upright photo */
	GPtrArray *alt;			 /* AttacheAlt*, as the file gives them */
	guint protect;			 /* #AttacheProtect: adds to the run's */
	GPtrArray *masks;		 /* AttacheRegion* (HAND) of `mask =`, or NULL */
	guint64 unmask;			 /* `unmask =`: bit N-1 leaves face N unmasked */
} AttachePhotoSettings;

void attache__photo_settings_free(AttachePhotoSettings *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttachePhotoSettings, attache__photo_settings_free)
/* Reads @input's settings file beside it (IMG_1.jpg.attache.ini, else
 * IMG_1.attache.ini) beneath its folder, bounded. @out: (transfer full),
 * %NULL when there is none. %ATTACHE_E_INPUT naming the file and line. */
AttacheCode attache__photo_settings_load(const char *input, AttachePhotoSettings **out, GError **error);
/* Parses the bytes of the settings file @path; also the fuzz target's
 * entry point. @data: borrowed. @out: (transfer full). */
AttacheCode attache__photo_settings_parse(const char *path, const char *data, gsize len,
	AttachePhotoSettings **out, GError **error);

/* ---- alt text that names a place (places.c) ---- */

/* The place names (City, Sub-location, State, Country) the audit @r of a
 * photo found in its IPTC and XMP, distinct, as written. (transfer full) */
GPtrArray *attache__places_from_report(const AttacheAuditReport *r);
/* The first of @places that @text names (NFKC, casefolded, whole words),
 * or NULL. (transfer none: an item of @places) */
const char *attache__alt_names_place(const char *text, GPtrArray *places);

/* ---- metadata: the XMP attache writes (xmp.c) ---- */

/* Builds the XMP packet: dc:creator/dc:rights (when kept) and the alt text
 * (Iptc4xmpCore:AltTextAccessibility / ExtDescrAccessibility). NULL when
 * there is nothing to write. (transfer full) */
GBytes *attache__xmp_build(const AttacheKept *k, GPtrArray *alt,
	const char *alt_long);

/* The alt text embedded in the XMP packet @xmp (Iptc4xmpCore:
 * AltTextAccessibility): the x-default entry, else the first; NULL when
 * there is none (xmp-alt.c). (transfer full) */
char *attache__xmp_alt_text(const char *xmp, gsize len);
/* Every entry of the packet's AltTextAccessibility (else dc:description),
 * blank ones left out: AttacheAlt*, in order, maybe empty. (transfer full) */
GPtrArray *attache__xmp_alts(const char *xmp, gsize len);
/* The text of @alt in @lang (%NULL: none asked), else x-default, else the
 * first; %NULL when @alt is empty. (transfer none) */
const char *attache__alt_pick(GPtrArray *alt, const char *lang);
/* The language x-default stands for: the first other entry with the same
 * text (prep writes x-default as the output's language), or %NULL.
 * (transfer none) */
const char *attache__alt_default_lang(GPtrArray *alt);

/* ---- metadata: splicing blocks into an encoded file (embed.c) ---- */

/* Inserts EXIF (TIFF-header bytes) and XMP packets into an encoded
 * JPEG/PNG/WebP made by libvips with strip. @data is replaced.
 * Returns %ATTACHE_OK or %ATTACHE_E_INTERNAL. */
AttacheCode attache__embed(AttacheFormat format, guint8 **data, gsize *len,
	GBytes *exif, GBytes *xmp, int width, int height, GError **error);

/* ---- the batch path (batch/batch.c) ---- */

/* libvips' threads, unless attache_set_concurrency() or an earlier batch
 * chose them already (init.c). */
void attache__concurrency_default(int threads);

/* --dry-run: what attache_prep_photo_as() would write for @input under
 * @stem, without decoding or writing: the header read and checked, the
 * alt text resolved and checked, each output's path named with its
 * preset's format (prep.c). @outputs: (transfer full), as
 * attache_prep_photo(); a photo that would fail fails the same way. */
AttacheCode attache__prep_photo_plan(const AttachePrepOptions *opts,
	const char *input, const char *stem, GPtrArray **outputs, GError **error);

/* One photo of a batch: attache_prep_photo_as() with @opts (writing no
 * manifest itself), then each output written recorded through @sink's
 * record (%NULL sink or record: the manifest, when opts->write_manifest);
 * one that cannot be recorded is deleted and fails. The hot folder calls
 * it on its workers. @outputs: (transfer full), as attache_prep_photo(). */
AttacheCode attache__batch_photo(const AttachePrepOptions *opts,
	const char *input, const char *stem, const AttacheBatchSink *sink,
	gpointer data, GPtrArray **outputs, GError **error);
/* The cores split: @jobs photos at once (0: cores; at most @photos) x
 * outputs at once x libvips threads = cores. */
void attache__batch_threads(int jobs, int photos, int presets, int *jobs_out,
	int *preset_threads, int *vips_threads);

/* A file's name without its folder and its last extension ("a/IMG_1.jpg"
 * -> "IMG_1"; ".x" stays), raw bytes (names.c). (transfer full) */
char *attache__file_stem(const char *path);
/* An output's name STEM.PRESET.EXT -> STEM (names.c). (transfer full) */
char *attache__output_name_stem(const char *name);

/* The output's JSON object; @manifest adds prepared_by, prepared_at,
 * audit (output.c). (transfer full) */
typedef struct _JsonNode JsonNode;
typedef struct _JsonObject JsonObject;
JsonNode *attache__output_to_node(const AttacheOutput *o, gboolean manifest);
/* Every string in @root that is not UTF-8 (a file name's bytes) becomes
 * its display name (attache_display_name()); an object's member NAME gets
 * NAME_bytes beside it with the raw bytes in base64 (display.c). */
void attache__json_make_valid(JsonNode *root);

/* ---- branding: campaigns (campaign.c) and the brand stage (brand.c) ---- */

typedef enum {
	ATTACHE_LAYER_LOGO,
	ATTACHE_LAYER_TEXT,
} AttacheLayerType;

typedef enum {
	ATTACHE_BACKGROUND_NONE,
	ATTACHE_BACKGROUND_BOX,	 /* a box around the text, with padding */
	ATTACHE_BACKGROUND_BAND, /* a strip across the safe area's width */
} AttacheBackground;

typedef enum {
	ATTACHE_ALIGN_LEFT,
	ATTACHE_ALIGN_CENTRE,
	ATTACHE_ALIGN_RIGHT,
	ATTACHE_ALIGN_START, /* left for left-to-right text, right for RTL */
	ATTACHE_ALIGN_END,
	ATTACHE_ALIGN_AUTO, /* from the anchor's column */
} AttacheAlign;

/* Whether @c (may be %NULL) says `scan-text = yes` in [campaign]: its
 * photos are scanned for text whatever the run says (docs/prep.md). */
gboolean attache__campaign_scans_text(const AttacheCampaign *c);

/* A logo, decoded once per campaign: 8-bit sRGB + alpha, in memory. */
typedef struct {
	char *path;
	GBytes *svg; /* the file, when it is an SVG (re-rendered per size) */
	VipsImage *image;
	int width, height;
} AttacheAsset;

/* One layer resolved for a preset and a language. Strings and the asset
 * are borrowed from the campaign. */
typedef struct {
	AttacheLayerType type;
	const char *name;
	gboolean enabled;
	int row, col;	/* anchor: 0 top/left, 1 centre, 2 bottom/right */
	double size;	/* logo: longest side; text: font size (fractions of
					 * the output's shorter side) */
	double margin;	/* fraction of the shorter side */
	double opacity; /* 0..1 */
	const AttacheAsset *asset;
	const char *text; /* Pango markup */
	const char *font; /* family and style, "Noto Sans Bold" */
	double colour[4];
	AttacheBackground background;
	double background_colour[4];
	double padding;	  /* fraction of the shorter side */
	double max_width; /* fraction of the safe area's width */
	AttacheAlign align;
	gboolean rtl; /* the text's paragraph direction is right to left */
} AttacheLayerSpec;

/* options-set.c: what attache_prep_options_set() was given. */
struct _AttacheOptionsGiven {
	AttachePresetSet *presets; /* where preset names are looked up */
	gboolean own_presets;	   /* @presets is owned (else borrowed) */
	gboolean cli;			   /* named as flags: "--fit: ..." messages */
	guint alt;				   /* 1: alt, 2: alt-file (both: an error) */
	gboolean presets_set;
};
typedef struct _AttacheOptionsGiven AttacheOptionsGiven;
/* (transfer none), made on first use */
AttacheOptionsGiven *attache__options_given(AttachePrepOptions *opts);
void attache__options_given_free(AttacheOptionsGiven *g);
/* Preset names are looked up in @set (borrowed: it must outlive @opts). */
void attache__prep_options_use_presets(AttachePrepOptions *opts,
	const AttachePresetSet *set);

/* value.c: the typed values every .ini and option shares (docs/
 * architecture.md, "Options and values"). Each returns FALSE, leaving
 * @out alone, when @s is not such a value. */
gboolean attache__value_bool(const char *s, gboolean *out);
gboolean attache__lang_tag_valid(const char *s);
/* ---- the languages of a run (pipeline/langs.c) ---- */
/* @value (--lang: a comma list, or all) checked and split, duplicates
 * dropped (case aside); @cli picks "--lang" or "lang" for messages.
 * @out: (transfer full) char*, "all" alone for all. */
AttacheCode attache__langs_parse(const char *value, gboolean cli,
	GPtrArray **out, GError **error);
/* The languages @opts makes: --lang's list, all (the campaign's
 * languages), else the campaign's own language, else none (an empty
 * array); each checked against the campaign. @out: (transfer full). */
AttacheCode attache__prep_langs(const AttachePrepOptions *opts,
	gboolean cli, GPtrArray **out, GError **error);
/* The first language @opts makes by --lang (all: the campaign's first),
 * or NULL. (transfer full) */
char *attache__prep_first_lang(const AttachePrepOptions *opts);
/* @rgba: 3 doubles, or 4 when @alpha allows #rrggbbaa */
gboolean attache__value_colour(const char *s, gboolean alpha, double rgba[4]);
gboolean attache__value_fraction(const char *s, double *out);
gboolean attache__value_bytes(const char *s, gint64 *out);
gboolean attache__value_name(const char *s);
/* attache_alt_read_file() and attache_alt_manifest_load() for @rel opened
 * beneath @dir with no symbolic link (a path from an inbox writer). */
AttacheCode attache__alt_read_file_beneath(const char *dir, const char *rel,
	char **out, GError **error);
/* attache_campaign_load() for @rel beneath @dir, its logos too, with no
 * symbolic link (a campaign named by an inbox writer). */
AttacheCode attache__campaign_load_beneath(const char *dir, const char *rel,
	const AttachePresetSet *presets, AttacheCampaign **out, GError **error);
AttacheCode attache__alt_manifest_load_beneath(const char *dir,
	const char *rel, GHashTable **out, GError **error);
guint attache__campaign_n_layers(const AttacheCampaign *c);
/* Layer @i for @preset (name) and @lang (NULL: the campaign's default).
 * Never fails: every value was checked when the campaign was loaded. */
void attache__campaign_layer_resolve(const AttacheCampaign *c, guint i,
	const char *preset, const char *lang, AttacheLayerSpec *out);
/* Rendered layers, kept for the batch. get: (transfer full) or NULL. */
VipsImage *attache__campaign_cache_get(AttacheCampaign *c, const char *key);
void attache__campaign_cache_put(AttacheCampaign *c, const char *key,
	VipsImage *im);

/* Draws the campaign's layers on @in (8-bit sRGB, fitted to @preset),
 * inside the preset's safe area. Adds notes for a reviewer to @warnings.
 * @out: (transfer full), lazy: reads @in when evaluated. */
AttacheCode attache__brand(AttacheCampaign *c, const AttachePreset *preset,
	const char *lang, VipsImage *in, VipsImage **out, GPtrArray *warnings,
	GError **error);

/* ---- alt text (alt.c) ---- */

/* The alt text for @input from the options' sources, x-default first
 * (docs/alt-text.md), with warnings (repeats the file name, "image of").
 * %ATTACHE_E_ALT for a sidecar that is not valid or, with require_alt, when
 * there is none. @alt, @warnings: (transfer full). */
AttacheCode attache__alt_resolve(const AttachePrepOptions *opts,
	const char *input, GPtrArray *own, GPtrArray **alt, GPtrArray **warnings,
	GError **error);
/* What the one alt-text check finds in @text (valid UTF-8; alt.c). prep's
 * errors and warnings and the review page's marks all come from it. */
typedef struct {
	gboolean blank;		   /* only white space and format characters */
	gunichar control;	   /* the first control character but \n, \t, or 0 */
	gboolean repeats_name; /* the same letters and digits as one of @names */
	const char *opening;   /* "image of", "photo de"... it starts with (static) */
	glong chars;		   /* its length in characters */
	gboolean over;		   /* longer than @max_chars (when > 0) */
} AttacheAltCheck;
/* Fills @out for @text; @names (%NULL-terminated, may be %NULL) are the
 * file names it must not merely repeat, as the caller knows the photo. */
void attache__alt_check(const char *text, const char *const *names,
	int max_chars, AttacheAltCheck *out);
/* Whether @alt (AttacheAlt*, may be %NULL) holds no text a screen reader
 * could read: none, or only blank ones (the "alt-missing" flag). */
gboolean attache__alt_none(GPtrArray *alt);
/* Checks every alt text against @preset's limit (alt_max_chars). */
AttacheCode attache__alt_check_preset(GPtrArray *alt,
	const AttachePreset *preset, GError **error);
/* A deep copy. (transfer full) */
GPtrArray *attache__alt_copy(GPtrArray *alt);
/* A deep copy of @alt (x-default first) for the output in @lang: its
 * x-default is @lang's own text when @alt has one (every other language
 * stays). (transfer full) */
GPtrArray *attache__alt_for_lang(GPtrArray *alt, const char *lang);
/* Whether the output @name may be written into @dir for @o (its input's
 * SHA-256, language and campaign): nothing is there, or what is there is
 * the latest output the folder's manifest records of the same photo bytes,
 * language and campaign. Otherwise %ATTACHE_E_WRITE with a message naming
 * both; nothing is replaced silently (docs/prep.md, "Outputs already
 * there"). */
AttacheCode attache__output_may_replace(const char *dir, const char *name,
	const AttacheOutput *o, GError **error);

/* fsync a folder so a rename in it is durable (write.c). */
int attache__fsync_dir(const char *dir);

/* ---- an output folder's manifest, read back (manifest.c) ---- */

/* One line of attache-manifest.jsonl (the fields of output.c). */
typedef struct {
	int line;	/* 1-based line number */
	char *file; /* the output's path relative to the folder: NAME, or
				 * PHOTO/NAME for the hot folder's outputs */
	char *output, *input, *preset, *format;
	char *input_sha256; /* the photo's bytes, or NULL (older lines) */
	int width, height, quality;
	gint64 bytes, max_bytes;
	char **flags, **removed, **kept, **warnings; /* names, never NULL */
	GPtrArray *alt;								 /* AttacheAlt*, in order */
	char *alt_long;
	char *sha256;
	char *campaign, *lang, *prepared_by, *prepared_at, *audit;
	/* AttacheRegion*: what the line says of the pixels, each with its
	 * box in the output; NULL when the line has none */
	GPtrArray *faces, *regions, *text_found;
} AttacheRecord;
/* @r's alt text in @lang ("x-default" too), compared without case, or
 * NULL (manifest.c). (transfer none) */
const AttacheAlt *attache__record_alt(const AttacheRecord *r, const char *lang);

/* One "kind": "failure" line: a photo that gave no output (prep), or
 * whose original went to failed/ (the hot folder: @original, @error_file
 * and @reason are then set). */
typedef struct {
	int line; /* 1-based line number */
	char *input, *code, *error, *reason, *original, *error_file;
	char *prepared_by, *prepared_at;
} AttacheFailure;

typedef struct {
	char *dir;
	char *dir_abs;		/* canonical (g_canonicalize_filename) */
	char *dir_real;		/* realpath(), or NULL */
	char *path;			/* DIR/attache-manifest.jsonl */
	gboolean exists;	/* FALSE: there is no manifest */
	GPtrArray *lines;	/* AttacheRecord*, every good line, in file order */
	GPtrArray *latest;	/* borrowed from lines: the latest line per output
						 * whose file is still in the folder */
	GPtrArray *damaged; /* char*: "PATH line N is damaged: why" */

	/* char*: each damaged line's bytes (capped), to tell whose it was */
	GPtrArray *damaged_text;
	GPtrArray *failures; /* AttacheFailure*, every failure line, in order */
	GPtrArray *failed;	 /* borrowed from failures: the latest per input
						  * with no later output line of that input */
} AttacheManifest;

void attache__record_free(AttacheRecord *r);
/* Reads DIR/attache-manifest.jsonl; a missing file is an empty manifest
 * (exists = FALSE). %ATTACHE_E_INPUT only when it cannot be read.
 * @out: (transfer full), set also on failure. */
AttacheCode attache__manifest_load(const char *dir, AttacheManifest **out,
	GError **error);
void attache__manifest_free(AttacheManifest *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheManifest, attache__manifest_free)
/* The first damaged line that may be @file's own (it holds @file's name
 * or @sha256), as "PATH line N is damaged: why"; NULL when none.
 * (transfer none) */
const char *attache__manifest_damaged_for(const AttacheManifest *m,
	const char *file, const char *sha256);
/* The latest record of @file among those still present, or NULL. */
const AttacheRecord *attache__manifest_latest(const AttacheManifest *m,
	const char *file);
/* Appends @line and a newline to @name, a file of the folder @dir, opened
 * beneath it with no symbolic link (openat2) and created 0666 & ~umask.
 * All or nothing: under an flock on the file, a missing final newline is
 * added first, the line goes in one write(2) on O_APPEND, then fdatasync;
 * a write that fails part-way (a full disk) is cut back off, so no partial
 * line stays. %FALSE with @error (ATTACHE_E_WRITE, naming the file). */
gboolean attache__append_line_beneath(const char *dir, const char *name,
	const char *line, GError **error);
/* The same with the folder's descriptor @dirfd (not taken); @label names
 * the file in messages. */
gboolean attache__append_line_at(int dirfd, const char *name,
	const char *label, const char *line, GError **error);
/* The manifest's format number, "attache_manifest" in each line it writes
 * (docs/json.md). Lines without it are version 1 and read as outputs. */
#define ATTACHE_MANIFEST_VERSION 2
/* The manifest line of output @o (kind "output": the fields of
 * attache__output_to_node(@o, TRUE)), without its newline.
 * (transfer full) */
char *attache__manifest_output_line(const AttacheOutput *o);
/* The line of an output recorded earlier as @fields (an object of
 * attache__output_to_node(..., TRUE), kept in a journal), with "output"
 * set to @output when not %NULL and the caller's own members named in
 * @skip (%NULL-terminated, may be %NULL) left out. @fields is not
 * changed. (transfer full) */
char *attache__manifest_line_from_fields(JsonObject *fields,
	const char *output, const char *const *skip);
/* The line of photo @input that gave no output (kind "failure"): @code as
 * attache_code_name(), @message as "error". (transfer full) */
char *attache__manifest_failure_line(const char *input, AttacheCode code,
	const char *message, const char *prepared_by);
/* The same with the members of @extra (may be %NULL) added: the hot
 * folder's "original", "error_file", "reason" and "id". (transfer full) */
char *attache__manifest_failure_line_with(const char *input, AttacheCode code,
	const char *message, const char *prepared_by, JsonObject *extra);
/* Appends attache__manifest_output_line(@o) to DIR/attache-manifest.jsonl
 * (attache__append_line_beneath(): whole or not at all, never through a
 * link). %FALSE with @error (ATTACHE_E_WRITE, naming the file). */
gboolean attache__manifest_append_output(const char *dir,
	const AttacheOutput *o, GError **error);
/* The same for attache__manifest_failure_line(): the batch records each
 * photo that failed. */
gboolean attache__manifest_append_failure(const char *dir, const char *input,
	AttacheCode code, const char *message, const char *prepared_by,
	GError **error);
/* 64 lower-case hex digits. */
gboolean attache__is_sha256(const char *s);
/* A relative path without empty, "." or ".." parts ("a.jpg", "IMG/a.jpg"). */
gboolean attache__is_relative_name(const char *s);

/* ---- approvals (approval.c) ---- */

/* A person's name as recorded: NFKC, default-ignorable code points
 * removed, trimmed; NULL when blank or not UTF-8 (person.c).
 * (transfer full) */
char *attache__person_name(const char *name);
/* Who @name is, for comparing: attache__person_name(), casefolded, then
 * its UTS #39 confusable skeleton, so that "alice\u200b" or a Cyrillic
 * "а" in "alice" is alice. NULL when blank or not UTF-8. (transfer full) */
char *attache__person_key(const char *name);

/* The approval state of the bytes @sha256 of output @file (a name in
 * @m's folder; @display names it in the message) given the folder's
 * manifest and approvals (%NULL with @approvals_error set when
 * approvals.json is damaged). (transfer full) */
AttacheApprovalStatus *attache__approval_status(const AttacheManifest *m,
	GPtrArray *approvals, const char *approvals_error, const char *file,
	const char *display, const char *sha256);
/* The output folder of the output @path, the one that holds its manifest:
 * its own folder (prep) or the one above (the hot folder's OUT/PHOTO/);
 * @dir, @file: (out) (transfer full) that folder and @path relative to it. */
void attache__output_folder(const char *path, char **dir, char **file);

/* ---- the flags and their severities (flags.c) ---- */

/* One row of the one table of flags (docs/review.md, "Severities"). */
typedef struct {
	const char *name; /* "quality-floor", "alt-missing", "changed" ... */
	AttacheSeverity severity;
	const char *label; /* for people: "Quality floor" */
	const char *why;   /* what it means to a reviewer */
} AttacheFlagInfo;

/* The table, worst first. (transfer none) */
const AttacheFlagInfo *attache__flag_table(guint *n);
/* The row of flag @name; a flag this attache does not know (a newer
 * one's) has a row of its own that needs a deliberate yes. (transfer
 * none) */
const AttacheFlagInfo *attache__flag_info(const char *name);
/* The one alt-text check (alt.c) of @text for the output @r: the names it
 * must not merely repeat are the photo's and the output's. */
void attache__record_check_alt(const char *text, const AttacheRecord *r,
	int max_chars, AttacheAltCheck *c);
/* The review page's boxes over an output's image (each face found,
 * each region masked, each text read: review-regions.c), and its words
 * for them ("3 faces, masked"), appended to @s for @r. */
void attache__review_regions_overlay(GString *s, const AttacheRecord *r);
void attache__review_regions_summary(GString *s, const AttacheRecord *r);

/* Adds the names of every flag of output @r to @out, worst first: its
 * manifest flags and warnings, its alt text (none, none in its language
 * or one of @expected, only the file name, over @preset's limit; @preset
 * may be %NULL) and, as found now, @changed and @audit_failed. The names
 * are borrowed from the table and @r. */
void attache__record_flags(const AttacheRecord *r, const AttachePreset *preset,
	char **expected, gboolean changed, gboolean audit_failed, GPtrArray *out);
/* The worst severity of the flags @names (may be %NULL). */
AttacheSeverity attache__flags_severity(GPtrArray *names);

/* ---- hot folder (watch.c, watch-settings.c, watch-photo.c) ---- */

/* The settings a photo is prepared with: built-in defaults, then
 * INBOX/attache.ini, then the caller's overrides. Refcounted and immutable,
 * so a photo in progress keeps the set it started with when the file
 * changes. */
typedef struct {
	gint ref;
	AttachePrepOptions *prep;  /* out_dir unused: see out_dir */
	char *out_dir;			   /* absolute */
	char *presets;			   /* "x-landscape,bluesky", for the log */
	char *upload;			   /* targets ("x,mastodon") or NULL */
	gboolean require_approval; /* upload only what a second person approved */
	/* the files the settings were read from besides attache.ini (alt-text
	 * manifest and file, campaign): an edit to one applies too, and the
	 * watcher leaves them alone when they sit in the inbox */
	GPtrArray *files;
	/* folders outside the inbox that attache.ini may name (--allow-path),
	 * canonical; NULL-terminated, may be empty */
	char **allow;
	int ini_approval; /* require-approval in attache.ini: -1 absent, 0, 1 */
	/* notes-lang: en, fr, es, ar, zh, ru (a static string) */
	const char *notes_lang;
	/* keep-originals, in days: 0 keeps done/ for ever */
	int keep_days;
} AttacheWatchSettings;

AttacheWatchSettings *attache__watch_settings_ref(AttacheWatchSettings *s);
void attache__watch_settings_unref(AttacheWatchSettings *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttacheWatchSettings,
	attache__watch_settings_unref)

/* Checks one key = value (the syntax; presets are checked on load). */
AttacheCode attache__watch_setting_check(const char *key, const char *value,
	GError **error);
/* Resolves the settings for @inbox (absolute): defaults, then @ini_path
 * when it exists, then @overrides (key -> value). @out: (transfer full). */
AttacheCode attache__watch_settings_load(const char *inbox,
	const char *ini_path, GHashTable *overrides,
	const AttachePresetSet *presets, AttacheWatchSettings **out,
	GError **error);
/* The same from attache.ini's text in memory (the fuzz target's entry
 * point): @data borrowed, @label names it in messages. */
AttacheCode attache__watch_settings_load_data(const char *inbox,
	const char *label, const char *data, gsize len, GHashTable *overrides,
	const AttachePresetSet *presets, AttacheWatchSettings **out,
	GError **error);

/* INBOX/attache.ini.error.txt (watch-notes.c): when @message (the
 * settings loader's) is about INBOX/attache.ini, writes the note naming
 * its line, atomically, in the file's own notes-lang or else @lang;
 * @running: the last good settings stay in force (else nothing runs). */
AttacheCode attache__watch_ini_note(const char *inbox, const char *message,
	const char *lang, gboolean running, GError **error);
/* Deletes the note (the settings are good). */
void attache__watch_ini_note_clear(const char *inbox);

/* keep-originals (watch-keep.c): deletes the regular files at the top of
 * @done_dir whose mtime is @days days or more before @now (seconds since
 * the epoch), never through a link; adds each path deleted to @removed
 * (may be NULL; (transfer full) strings). */
AttacheCode attache__watch_prune_done(const char *done_dir, int days,
	gint64 now, GPtrArray *removed, GError **error);

/* Whether @folder (OUT/STEM[-N]) holds an earlier preparation of the
 * photo whose SHA-256 is @sha and nothing else: its receipt names that
 * hash, and its files are the receipt's outputs, unchanged
 * (watch-replace.c). @old_id: (transfer full) the receipt's id. */
gboolean attache__watch_folder_is_own(const char *folder, const char *sha,
	char **old_id);

/* ---- memory budget (budget.c) ---- */

/* What one photo took from a budget; cleared: given back. */
typedef struct {
	AttacheMemoryBudget *budget; /* borrowed; NULL: nothing taken */
	gint64 bytes;
} AttacheMemoryHold;

/* The memory decoding @src at @scale costs for @n_presets, from its
 * header: the file, the decoder's output at its shrink-on-load factor,
 * and the decode kept at @scale while several presets are made. In
 * load.c, which makes the same shrink choice when it decodes. */
gint64 attache__decode_estimate(const AttacheSource *src, double scale,
	guint n_presets);
/* Takes @need bytes from @budget (NULL: no budget) into @hold, waiting
 * (and then running alone) when they are not free. ATTACHE_E_LIMIT,
 * naming @path and the budget, when @need is more than the whole budget. */
AttacheCode attache__memory_take(AttacheMemoryBudget *budget,
	const char *path, gint64 need, AttacheMemoryHold *hold, GError **error);
void attache__memory_hold_clear(AttacheMemoryHold *hold);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(AttacheMemoryHold, attache__memory_hold_clear)

/* ---- in-memory parsers, for the fuzz targets (tests/fuzz/) ---- */

/* attache_preset_load_file() after the read (preset.c). @text borrowed,
 * NUL-terminated; @path names the preset. @out: (transfer full). */
AttacheCode attache__preset_load_data(const char *path, const char *text,
	gsize len, AttachePreset **out, GError **error);
/* attache_campaign_load() after the read (campaign.c); logo files are
 * relative to @path's folder. @out: (transfer full). */
AttacheCode attache__campaign_load_data(const char *path, const char *text,
	gsize len, const AttachePresetSet *presets, AttacheCampaign **out,
	GError **error);
/* attache_alt_manifest_load() after the read (alt.c). @out: (transfer
 * full). */
AttacheCode attache__alt_manifest_parse(const char *path, const char *data,
	gsize len, GHashTable **out, GError **error);
/* attache_alt_read_file() after the read (alt.c). @out: (transfer full). */
AttacheCode attache__alt_text_parse(const char *path, const char *data,
	gsize len, char **out, GError **error);

/* An output folder inside the inbox must not be, or pass through, a
 * symbolic link: checked again before each photo, since whoever writes
 * into the inbox can replace INBOX/out at any time. */
AttacheCode attache__watch_out_dir_check(const AttacheWatchSettings *s,
	const char *inbox, GError **error);

/* The folders of one hot folder, shared by its workers. */
typedef struct {
	char *inbox;		   /* absolute */
	char *done_dir;		   /* INBOX/done */
	char *failed_dir;	   /* INBOX/failed */
	char *state_dir;	   /* INBOX/.attache: lock, journal */
	char *journal_dir;	   /* INBOX/.attache/journal */
	char *log_path;		   /* INBOX/attache.log */
	char *inbox_key;	   /* names this inbox's staging folders in OUTDIR */
	GMutex names_lock;	   /* guards @reserved */
	GHashTable *reserved;  /* paths chosen and not yet taken */
	const char *crash_at;  /* test hook: ATTACHE_WATCH_CRASH */
	GMutex upload_lock;	   /* guards @uploaders */
	GHashTable *uploaders; /* "TARGET/GATE/ACCOUNT" -> AttacheUploader*, one a run */
	GPtrArray *retired;	   /* uploaders refused: freed at the end */
	/* the memory budget the workers share (owned) */
	AttacheMemoryBudget *memory;
	/* hand photos over instead of preparing them (AttacheWatchOptions) */
	AttacheWatchTakeFunc take;
	gpointer take_data;
} AttacheWatchPlace;

typedef enum {
	ATTACHE__PHOTO_DONE,
	ATTACHE__PHOTO_FAILED,
	ATTACHE__PHOTO_RETRY,	 /* left in the inbox; try again later */
	ATTACHE__PHOTO_CHANGED,	 /* the file changed while being prepared */
	ATTACHE__PHOTO_GONE,	 /* the file went away before it was read */
	ATTACHE__PHOTO_AWAITING, /* landed; its upload waits for approval */
	/* could not be prepared, but written to moments ago: perhaps cut
	 * short by a writer that pauses; looked at again once still for the
	 * settle time, and only then failed */
	ATTACHE__PHOTO_UNSETTLED,
} AttachePhotoOutcome;

/* One photo to prepare, and what became of it. */
typedef struct {
	char *name;						/* file name in the inbox */
	AttacheWatchSettings *settings; /* owned ref */
	gint64 settle_usec;				/* the settle time */
	gboolean settled;				/* held still for the settle time: a failure counts */
	AttachePhotoOutcome outcome;
	AttacheCode code;
	char *message; /* one line for a person */
	char *json;	   /* the line written to attache.log, or NULL */
	char *journal; /* a journal left to finish later (disk trouble) */
	char *notice;  /* a problem that did not stop the photo (the log could
					* not be written), or NULL */
} AttacheWatchJob;

void attache__watch_job_free(AttacheWatchJob *job);

/* Prepares one photo of the inbox from start to end: outputs staged and
 * landed together, original to done/ (or failed/ with an error file), one
 * log line; a journal makes every step redoable after a crash. */
void attache__watch_photo(AttacheWatchPlace *place, AttacheWatchJob *job);
/* Finishes the photo a journal file describes (after a crash, or disk
 * trouble). Fills @job->json when it wrote the photo's log line; on
 * failure @job->journal says the journal is still there to retry. */
void attache__watch_recover(AttacheWatchPlace *place, const char *journal,
	AttacheWatchJob *job);
/* Appends @line and a newline to @path (manifest.c): the last component
 * must not be a symbolic link; see attache__append_line_beneath(). */
gboolean attache__append_line(const char *path, const char *line,
	GError **error);
/* Removes this inbox's staging folders in @out_dir that no journal names. */
void attache__watch_clean_staging(AttacheWatchPlace *place,
	const char *out_dir, GHashTable *keep);

G_END_DECLS

#endif /* ATTACHE_PRIVATE_H */
