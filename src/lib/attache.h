/* SPDX-License-Identifier: MIT */
/*
 * attache.h: the public API of libattache.
 *
 * attache turns phone photos into social-media attachments: load, orient,
 * sRGB, fit to a platform preset, brand, metadata whitelist and alt text,
 * encode under a byte budget, audit, atomic write, upload.
 *
 * Conventions (see docs/api.md):
 * - Functions that can fail return an #AttacheCode (%ATTACHE_OK is 0) and take
 *   a `GError **error` last; the error's domain is %ATTACHE_ERROR and its code
 *   is the same #AttacheCode. Callers may pass %NULL.
 * - Ownership: arguments are borrowed (transfer none); pointers returned
 *   through `**out` arguments are owned by the caller (transfer full) and are
 *   freed with the matching `*_free()` function. Each declaration says so.
 * - All functions are thread-safe unless noted; a preset set, a campaign
 *   or a prep options object may be shared by many threads once it is set
 *   up and no longer changed.
 */
#ifndef ATTACHE_H
#define ATTACHE_H

#include <glib.h>

/* Marks what libattache.so exports: the library is built with
 * -fvisibility=hidden, so a declaration here without it links statically
 * but is missing from the shared library (tests/cli/test_exports.py). */
#if defined(__GNUC__) || defined(__clang__)
#define ATTACHE_API __attribute__((visibility("default")))
#else
#define ATTACHE_API
#endif

G_BEGIN_DECLS

#define ATTACHE_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/**
 * AttacheCode:
 *
 * Stable error codes. The numbers are API: never renumber, only append.
 * attache_code_exit_status() maps them to the CLI's exit codes
 * (docs/exit-codes.md).
 */
typedef enum {
	ATTACHE_OK = 0,
	ATTACHE_E_USAGE = 2,		/* bad option, preset, campaign or config value */
	ATTACHE_E_INPUT = 10,		/* an input cannot be read or decoded */
	ATTACHE_E_LIMIT = 11,		/* an input exceeds a limit (pixels, bytes) */
	ATTACHE_E_IMAGE = 12,		/* an image operation failed */
	ATTACHE_E_BUDGET = 13,		/* max-bytes cannot be met */
	ATTACHE_E_WRITE = 14,		/* an output cannot be written */
	ATTACHE_E_AUDIT = 15,		/* an output failed the privacy audit */
	ATTACHE_E_ALT = 16,			/* alt text missing or invalid */
	ATTACHE_E_UNSUPPORTED = 17, /* not an image format attache reads */
	ATTACHE_E_UPLOAD = 20,		/* network or HTTP failure while uploading */
	ATTACHE_E_AUTH = 21,		/* credentials missing, unreadable or refused */
	ATTACHE_E_REJECTED = 22,	/* the platform refused the media (limits) */
	ATTACHE_E_APPROVAL = 23,	/* output not approved by a second person */
	ATTACHE_E_INTERNAL = 70,
} AttacheCode;

#define ATTACHE_ERROR (attache_error_quark())
ATTACHE_API GQuark attache_error_quark(void);

/* A short English name for @code ("input", "limit", ...). Static string. */
ATTACHE_API const char *attache_code_name(AttacheCode code);

/* The CLI exit status for a failure with @code: 2 for usage and
 * configuration, 3 for upload-side failures, 1 for everything about one input.
 */
ATTACHE_API int attache_code_exit_status(AttacheCode code);

/* ------------------------------------------------------------------ */
/* Library set-up                                                       */
/* ------------------------------------------------------------------ */

/* Call once, before anything else and before any thread is started, with
 * argv[0]. Starts libvips and sets the process-wide tuning every caller
 * needs: glibc's malloc keeps freed pixel buffers (2 arenas, buffers up to
 * 8 MiB on the heap, trim beyond 32 MiB free), so a long batch neither
 * multiplies its peak memory nor faults pages in again for every photo. */
ATTACHE_API AttacheCode attache_init(const char *argv0, GError **error);
/* Call once at exit. */
ATTACHE_API void attache_shutdown(void);
/* Threads libvips may use for one photo (default: number of cores).
 * libvips has one scheduler per process: the first attache_prep_batch()
 * or attache_watch_run() sets it from its split of the cores (cores /
 * (photos x outputs at once)) unless this was called first; later ones
 * keep it. */
ATTACHE_API void attache_set_concurrency(int threads);

/* ------------------------------------------------------------------ */
/* Presets                                                              */
/* ------------------------------------------------------------------ */

typedef enum {
	ATTACHE_FIT_COVER = 0,	 /* exactly WxH, cropping the excess */
	ATTACHE_FIT_CONTAIN = 1, /* exactly WxH, padding the rest */
	ATTACHE_FIT_INSIDE = 2,	 /* within WxH, aspect kept */
} AttacheFit;

typedef enum {
	ATTACHE_CROP_ATTENTION = 0,
	ATTACHE_CROP_ENTROPY = 1,
	ATTACHE_CROP_CENTRE = 2,
	ATTACHE_CROP_FOCUS = 3, /* a focus point given by the user */
	/* attention without faces: no detection, heads may be cut */
	ATTACHE_CROP_ATTENTION_ONLY = 4,
} AttacheCrop;

typedef enum {
	ATTACHE_PAD_BLUR = 0,	/* blurred, darkened copy of the photo */
	ATTACHE_PAD_COLOUR = 1, /* a flat colour */
} AttachePad;

typedef enum {
	ATTACHE_FORMAT_JPEG = 0,
	ATTACHE_FORMAT_PNG = 1,
	ATTACHE_FORMAT_WEBP = 2,
} AttacheFormat;

/**
 * AttachePreset:
 *
 * One platform shape, read from a GKeyFile .ini (docs/presets.md). Fields are
 * read-only for callers.
 */
typedef struct {
	char *name;		   /* file stem, e.g. "x-landscape" */
	char *description; /* one line */
	char *platform;	   /* "x", "instagram", ... */
	char *path;		   /* file it was read from */
	int width, height;
	AttacheFit fit;
	AttacheCrop crop;
	AttachePad pad;
	double pad_colour[3]; /* sRGB 0..255 */
	gboolean upscale;	  /* allow making a photo larger */
	AttacheFormat format;
	AttacheFormat fallback; /* PNG presets: when PNG cannot fit */
	gint64 max_bytes;
	int quality_max, quality_min;
	int min_side;		 /* budget downscale never goes below this */
	gint64 max_pixels;	 /* platform pixel limit of the output, 0 = none */
	int alt_max_chars;	 /* platform alt-text limit, 0 = none */
	double safe_area[4]; /* top, right, bottom, left, fractions 0..0.5 */
	gint64 fit_pixels;	 /* [fit] pixels: output pixel budget (inside), 0 = none */
} AttachePreset;

typedef struct _AttachePresetSet AttachePresetSet;

/* Loads the built-in presets (@builtin_dir, or the installed data dir when
 * %NULL), then the user's from @user_dir (or $XDG_CONFIG_HOME/attache/presets
 * when %NULL), which add to or replace built-in ones by name.
 * @out: (transfer full). */
ATTACHE_API AttacheCode attache_preset_set_load(const char *builtin_dir,
	const char *user_dir, AttachePresetSet **out, GError **error);
ATTACHE_API void attache_preset_set_free(AttachePresetSet *set);
/* (transfer none): owned by @set; %NULL with @error set when unknown. */
ATTACHE_API const AttachePreset *attache_preset_set_lookup(const AttachePresetSet *set,
	const char *name, GError **error);
/* Sorted by name. (transfer container): free with g_ptr_array_unref. */
ATTACHE_API GPtrArray *attache_preset_set_list(const AttachePresetSet *set);

/* Reads one preset file. @out: (transfer full). */
ATTACHE_API AttacheCode attache_preset_load_file(const char *path, AttachePreset **out,
	GError **error);
ATTACHE_API void attache_preset_free(AttachePreset *preset);
/* The preset as .ini text, as `attache presets NAME` prints it.
 * Returns: (transfer full). */
ATTACHE_API char *attache_preset_to_string(const AttachePreset *preset);

ATTACHE_API const char *attache_fit_name(AttacheFit fit);
ATTACHE_API const char *attache_crop_name(AttacheCrop crop);
ATTACHE_API const char *attache_format_name(AttacheFormat format);
/* "jpg", "png", "webp" */
ATTACHE_API const char *attache_format_extension(AttacheFormat format);
ATTACHE_API const char *attache_format_mime(AttacheFormat format);
ATTACHE_API gboolean attache_fit_from_string(const char *s, AttacheFit *out);
ATTACHE_API gboolean attache_crop_from_string(const char *s, AttacheCrop *out);
ATTACHE_API gboolean attache_format_from_string(const char *s, AttacheFormat *out);
/* "0", "90", "180" or "270" (degrees clockwise); @out may be %NULL. */
ATTACHE_API gboolean attache_rotate_from_string(const char *s, int *out);
/* "X,Y" with both fractions in 0..1 (a focus point). */
ATTACHE_API gboolean attache_focus_from_string(const char *s, double *x, double *y);
/* A pixel count: "100MP", "40 MP", "100000000". */
ATTACHE_API gboolean attache_pixels_from_string(const char *s, gint64 *out);

/* ------------------------------------------------------------------ */
/* Metadata kinds, policy and audit                                     */
/* ------------------------------------------------------------------ */

/**
 * AttacheKind:
 *
 * What a piece of metadata reveals. The first group never survives into an
 * output; the second is what a keep policy may let through.
 */
typedef enum {
	ATTACHE_KIND_GPS = 1 << 0,			 /* coordinates, altitude, direction ... */
	ATTACHE_KIND_PLACE = 1 << 1,		 /* city, country, sub-location names */
	ATTACHE_KIND_SERIAL = 1 << 2,		 /* body, lens or other serial numbers */
	ATTACHE_KIND_OWNER = 1 << 3,		 /* CameraOwnerName and the like */
	ATTACHE_KIND_MAKERNOTE = 1 << 4,	 /* vendor MakerNote blocks */
	ATTACHE_KIND_THUMBNAIL = 1 << 5,	 /* embedded thumbnail or preview */
	ATTACHE_KIND_FREETEXT = 1 << 6,		 /* comments, descriptions, keywords */
	ATTACHE_KIND_XMP = 1 << 7,			 /* an XMP packet (any) */
	ATTACHE_KIND_IPTC = 1 << 8,			 /* IPTC-IIM / Photoshop IRB */
	ATTACHE_KIND_ICC_CONVERTED = 1 << 9, /* a non-sRGB profile converted */
	ATTACHE_KIND_OTHER = 1 << 10,		 /* unknown segment or chunk */
	/* what a policy may keep */
	ATTACHE_KIND_CREDIT = 1 << 16,	 /* Artist, Copyright, dc:creator/rights */
	ATTACHE_KIND_DATETIME = 1 << 17, /* DateTimeOriginal */
	ATTACHE_KIND_CAMERA = 1 << 18,	 /* Make, Model, exposure settings */
	ATTACHE_KIND_ALTTEXT = 1 << 19,	 /* the alt text attache writes */
	ATTACHE_KIND_ICC = 1 << 20,		 /* an ICC profile (sRGB) */
} AttacheKind;

/* Kinds an output may never carry. */
#define ATTACHE_KINDS_FORBIDDEN                                                \
	(ATTACHE_KIND_GPS | ATTACHE_KIND_PLACE | ATTACHE_KIND_SERIAL               \
		| ATTACHE_KIND_OWNER | ATTACHE_KIND_MAKERNOTE | ATTACHE_KIND_THUMBNAIL \
		| ATTACHE_KIND_FREETEXT | ATTACHE_KIND_IPTC | ATTACHE_KIND_OTHER)

/* Comma list of kind names for @kinds ("gps,place"). (transfer full) */
ATTACHE_API char *attache_kinds_to_string(guint kinds);
/* @s made safe to print on a terminal or into a log: control characters
 * (ESC, newlines, DEL, C1) and the bidi formatting characters (U+202A to
 * U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C) and U+2028/U+2029 as
 * \uXXXX, bytes that are not UTF-8 as \xNN; everything else as it is.
 * Inside a JSON string the \uXXXX form means the same character, so a
 * JSON line stays the same JSON. (transfer full) */
ATTACHE_API char *attache_escape_text(const char *s);

/* Output names are STEM.PRESET.EXT; the stem is at most this many bytes,
 * so that the temporary file's prefix and suffix (12), a language part
 * (.LANG, up to 12), a -N suffix (up to 6), the preset and the extension
 * still fit in a file name of 255 bytes (docs/prep.md). */
#define ATTACHE_STEM_MAX 160
/* The longest language tag --lang takes: the ".LANG" of an output's name
 * (STEM.PRESET.LANG.EXT) is budgeted at 12 bytes. */
#define ATTACHE_LANG_NAME_MAX 11
/* @raw (a file name: bytes) as text: each byte that is not UTF-8 as
 * U+FFFD. (transfer full) */
ATTACHE_API char *attache_display_name(const char *raw);
/* The stem of the output names for the photo @input: its file name
 * without the extension, each byte that is not UTF-8 as %XX, and when
 * longer than ATTACHE_STEM_MAX bytes, its start cut at a character, "~"
 * and 8 hex digits of the whole stem's SHA-256. (transfer full) */
ATTACHE_API char *attache_output_stem(const char *input);
/* Damerau-Levenshtein distance between @a and @b (insertions, deletions,
 * substitutions and swaps of two neighbours; each character at most once
 * in a swap), in Unicode characters, case folded; counting stops at
 * @max + 1. Both UTF-8. */
ATTACHE_API guint attache_edit_distance(const char *a, const char *b, guint max);
/* "Did you mean": of @candidates (@n of them, or NULL-terminated when @n is
 * -1), the closest to @word within an edit distance of 2 (the first of
 * equals), or %NULL when none is, or @word is one of them. (transfer
 * none): one of @candidates. */
ATTACHE_API const char *attache_suggest(const char *word, const char *const *candidates, gssize n);
/* Name of a single kind bit ("gps"). Static string. */
ATTACHE_API const char *attache_kind_name(AttacheKind kind);
/* Every message of attache's words for people (data/messages.ini) in
 * @lang (en, fr, es, ar, zh or ru) as one JSON object {id: text}, for a
 * page that shows them (the review desk). %NULL for another language.
 * (transfer full) */
ATTACHE_API char *attache_messages_json(const char *lang);

/**
 * AttacheKeep:
 *
 * The metadata whitelist (--keep). Default: %ATTACHE_KEEP_CREDIT.
 */
typedef enum {
	ATTACHE_KEEP_NONE = 0,
	ATTACHE_KEEP_CREDIT = 1 << 0,	/* Artist, Copyright, dc:creator, dc:rights */
	ATTACHE_KEEP_DATETIME = 1 << 1, /* DateTimeOriginal */
	ATTACHE_KEEP_CAMERA = 1 << 2,	/* Make, Model, exposure (no serials) */
} AttacheKeep;

/* Parses "none", "credit,datetime", ... */
ATTACHE_API AttacheCode attache_keep_from_string(const char *s, guint *out,
	GError **error);

/**
 * AttacheFinding: one thing the audit found, with where it sits, for
 * example kind=gps, where="EXIF GPS IFD: GPSLatitude".
 */
typedef struct {
	AttacheKind kind;
	char *where;
	char *value; /* short printable value or %NULL */
} AttacheFinding;

typedef struct {
	char *format;		 /* "jpeg", "png", "webp", "heif", "tiff" */
	GPtrArray *findings; /* AttacheFinding*, in file order */
	guint kinds;		 /* union of the findings' kinds */
} AttacheAuditReport;

/* Audits an encoded image in memory, without decoding pixels.
 * @out: (transfer full). %ATTACHE_E_INPUT when unreadable. */
ATTACHE_API AttacheCode attache_audit_buffer(const guint8 *data, gsize len,
	AttacheAuditReport **out, GError **error);
ATTACHE_API AttacheCode attache_audit_file(const char *path, AttacheAuditReport **out,
	GError **error);
ATTACHE_API void attache_audit_report_free(AttacheAuditReport *report);

/* The kinds a keep policy lets an output carry, which an audit lists but
 * does not count: alt-text, xmp and icc always, plus credit, datetime and
 * camera as @keep (#AttacheKeep) says. */
ATTACHE_API guint attache_keep_allowed_kinds(guint keep);

/* One JSON line for the audit of @file (docs/audit.md): @report, or
 * @error_message when @report is %NULL (unreadable). Findings whose kind
 * @keep allows have "counts": false. Returns: (transfer full). */
ATTACHE_API char *attache_audit_report_to_json(const AttacheAuditReport *report,
	const char *file, guint keep, const char *error_message);

/* ------------------------------------------------------------------ */
/* Preparing photos                                                     */
/* ------------------------------------------------------------------ */

typedef struct _AttacheCampaign AttacheCampaign;

/* Per-output flags a reviewer should look at. */
typedef enum {
	ATTACHE_FLAG_QUALITY_FLOOR = 1 << 0, /* the budget forced quality-min */
	ATTACHE_FLAG_DOWNSCALED = 1 << 1,	 /* made smaller to meet the budget */
	ATTACHE_FLAG_UPSCALED = 1 << 2,		 /* made larger than the photo */
	ATTACHE_FLAG_PADDED = 1 << 3,		 /* contain fit added padding */
	ATTACHE_FLAG_SMALL = 1 << 4,		 /* photo smaller than the preset */
	ATTACHE_FLAG_FALLBACK = 1 << 5,		 /* fell back to another format */
	/* the alt text names a place the photo's metadata named */
	ATTACHE_FLAG_ALT_NAMES_PLACE = 1 << 6,
	/* a crop edge cuts through a head (no window of the preset's shape
	 * holds them all, or --crop centre / --focus chose so) */
	ATTACHE_FLAG_FACES_CUT = 1 << 7,
	/* the photo is to be protected and no face was found: not safe */
	ATTACHE_FLAG_NO_FACE_FOUND = 1 << 8,
	/* a campaign requires protection and a face shows unmasked */
	ATTACHE_FLAG_FACES_VISIBLE = 1 << 9,
	/* readable text shows in the photo (it may name a place) */
	ATTACHE_FLAG_SHOWS_TEXT = 1 << 10,
} AttacheFlag;

/* Comma list ("quality-floor,downscaled"). (transfer full) */
ATTACHE_API char *attache_flags_to_string(guint flags);

/* How much of a reviewer an output needs: the severities of the one table
 * of flags (docs/review.md, "Severities"; src/lib/review/flags.c). */
typedef enum {
	ATTACHE_SEVERITY_NONE = 0,
	ATTACHE_SEVERITY_INFO = 1,		/* information: approved with the others */
	ATTACHE_SEVERITY_NEEDS_YES = 2, /* approved only by name or with
									 * include_flagged */
	ATTACHE_SEVERITY_BLOCKING = 3,	/* never approved */
} AttacheSeverity;

/* "none", "info", "needs-yes", "blocking". (transfer none) */
ATTACHE_API const char *attache_severity_name(AttacheSeverity severity);
/* The severity of flag @flag ("quality-floor", "alt-missing", "changed"
 * ...); a flag this attache does not know needs a deliberate yes. */
ATTACHE_API AttacheSeverity attache_flag_severity(const char *flag);
/* Its words for people ("No alt text"); @flag itself when unknown.
 * (transfer none) */
ATTACHE_API const char *attache_flag_label(const char *flag);

/* What --protect fills solid before any crop (docs/masking.md). */
typedef enum {
	ATTACHE_PROTECT_FACES = 1 << 0, /* every face found, with its head */
	ATTACHE_PROTECT_TEXT = 1 << 1,	/* the text --scan-text reads */
} AttacheProtect;

/* What a region of a photo is. */
typedef enum {
	ATTACHE_REGION_FACE = 0, /* a face attache's detector found */
	ATTACHE_REGION_HAND = 1, /* given by hand: `mask =`, --mask */
	ATTACHE_REGION_TEXT = 2, /* text attache read (--scan-text) */
} AttacheRegionKind;

/* A region of a photo. x, y, w, h are fractions of the upright photo
 * (after its orientation and --rotate), from its top-left corner. */
typedef struct {
	AttacheRegionKind kind;
	double x, y, w, h;
	double score;	 /* the detector's score; 0 for a hand region */
	char *text;		 /* the words read (ATTACHE_REGION_TEXT), else NULL */
	gboolean masked; /* filled solid in every output of the photo */
	/* the box in one output's own pixels; FALSE when its crop left the
	 * region out (in an AttacheOutput's lists only) */
	gboolean in_output;
	double ox, oy, ow, oh;
} AttacheRegion;

/* (transfer full) a copy of @r. */
ATTACHE_API AttacheRegion *attache_region_copy(const AttacheRegion *r);
ATTACHE_API void attache_region_free(AttacheRegion *r);

/* One alt text in one language. */
typedef struct {
	char *lang; /* "x-default", "en", "fr", "ar" ... */
	char *text;
} AttacheAlt;

/**
 * AttacheOutput: what happened to one photo for one preset. All strings are
 * owned by the struct.
 */
typedef struct {
	char *input;  /* the photo, as given */
	char *preset; /* preset name */
	char *output; /* final path, %NULL on error */
	int width, height;
	gint64 bytes;
	gint64 max_bytes;
	AttacheFormat format;
	int quality;	/* quality reached (JPEG/WebP); 0 for lossless PNG */
	guint flags;	/* #AttacheFlag */
	guint removed;	/* #AttacheKind found in the input and not carried over */
	guint kept;		/* #AttacheKind written to the output */
	char *sha256;	/* hex SHA-256 of the output file */
	GPtrArray *alt; /* AttacheAlt*, x-default first; may be empty */
	char *alt_long;
	GPtrArray *warnings; /* char*, e.g. alt text that repeats the file name */
	char *campaign;		 /* campaign name or %NULL */
	char *lang;			 /* language used for branding or %NULL */
	char *prepared_by;
	AttacheCode code; /* %ATTACHE_OK or why it failed */
	char *error;	  /* message when code != OK (names the file) */
	/* The photo's focus point inside this output (fractions of the
	 * output, from its top-left corner): --focus, else the area-weighted
	 * centre of the faces the output keeps whole, else the centre of what
	 * the attention crop finds; FALSE when the point is cropped away or
	 * unknown. Mastodon takes it as the media's focal point. */
	gboolean have_focus;
	double focus_x, focus_y;
	/* hex SHA-256 of the photo's bytes: an output of the same photo, in
	 * the same language and campaign, is its own to replace */
	char *input_sha256;
	/* degrees clockwise the photo was turned after its orientation
	 * (--rotate, or `rotate =` in its PHOTO.attache.ini); 0 for none */
	int rotate;
	/* AttacheRegion*, the same for every output of a photo apart from
	 * their in_output boxes. faces: %NULL when faces were not looked for
	 * (empty: none found); regions: masked by hand; text: read by
	 * --scan-text, %NULL when not looked for. */
	GPtrArray *faces, *regions, *text_found;
} AttacheOutput;

ATTACHE_API void attache_output_free(AttacheOutput *out);

/* The one-line JSON object for @out (the --json contract in
 * docs/json.md). Returns: (transfer full). */
ATTACHE_API char *attache_output_to_json(const AttacheOutput *out);

/* ------------------------------------------------------------------ */
/* Memory budget of a batch (--max-memory; docs/prep.md)               */
/* ------------------------------------------------------------------ */

#define ATTACHE_DEFAULT_MAX_MEMORY ((gint64)512 * 1024 * 1024)

typedef struct _AttacheMemoryBudget AttacheMemoryBudget;

/* A budget of @bytes (0: ATTACHE_DEFAULT_MAX_MEMORY) for the photos
 * prepared at once. Returns: (transfer full); thread-safe. */
ATTACHE_API AttacheMemoryBudget *attache_memory_budget_new(gint64 bytes);
ATTACHE_API AttacheMemoryBudget *attache_memory_budget_ref(AttacheMemoryBudget *budget);
ATTACHE_API void attache_memory_budget_unref(AttacheMemoryBudget *budget);
ATTACHE_API gint64 attache_memory_budget_total(const AttacheMemoryBudget *budget);
/* Parses a size: bytes, or with a K, M or G suffix (powers of 1024;
 * KiB, MiB, GiB, KB, MB, GB alike). FALSE when not a size. */
ATTACHE_API gboolean attache_size_from_string(const char *s, gint64 *out);

/**
 * AttachePrepOptions: how to prepare photos. Make one with
 * attache_prep_options_new(); fields may be set directly. Strings and the
 * preset array are owned by the options.
 */
typedef struct {
	GPtrArray *presets; /* AttachePreset* copies, owned */
	char *out_dir;		/* default "out" */
	int fit;			/* -1: preset's, else an #AttacheFit */
	int crop;			/* -1: preset's, else an #AttacheCrop */
	gboolean have_focus;
	double focus_x, focus_y; /* fractions 0..1 of the upright photo (after
							  * the orientation and @rotate) */
	/* degrees clockwise (0, 90, 180, 270), turned after the EXIF
	 * orientation, for a photo whose orientation is wrong (--rotate) */
	int rotate;
	guint keep;				   /* #AttacheKeep */
	gint64 max_pixels;		   /* decompression-bomb limit; default 100 MP */
	gint64 max_input_bytes;	   /* default 256 MiB */
	AttacheCampaign *campaign; /* owned; %NULL for none */
	/* languages made (--lang): one tag, a comma list (fr,ar,zh: every
	 * output in each, named STEM.PRESET.LANG.EXT) or "all" (the campaign's
	 * languages); %NULL: the campaign's own */
	char *lang;
	/* alt text */
	char *alt_text;		  /* --alt: for every photo */
	char *alt_long;		  /* --alt-long */
	GHashTable *manifest; /* from attache_alt_manifest_load(): file ->
						   * GPtrArray of AttacheAlt* (--alt-manifest) */
	gboolean require_alt;
	/* read the text in each photo (--scan-text; also a campaign's
	 * scan-text = yes): AttacheOutput's text_found, flag shows-text */
	gboolean scan_text;
	char *prepared_by;		 /* recorded in the output folder's manifest */
	gboolean write_manifest; /* append to OUT/attache-manifest.jsonl */
	int preset_threads;		 /* outputs of one photo made at once (default 1;
							  * the CLI uses cores / photos at once) */
	/* the memory budget the photos of a batch share (--max-memory), a
	 * reference owned by the options; %NULL: none */
	AttacheMemoryBudget *memory;
	/* what attache_prep_options_set() was given, for
	 * attache_prep_options_finish(); owned, %NULL until then */
	struct _AttacheOptionsGiven *given;
	/* #AttacheProtect: what is filled solid in every output (--protect);
	 * a campaign's and a photo's own `protect =` add to it, never take
	 * away (docs/masking.md) */
	guint protect;
	/* AttacheRegion* (kind HAND), owned: filled solid in every output
	 * (--mask, for one photo); %NULL for none */
	GPtrArray *masks;
	/* `unmask`, for one photo (the desk's masks): bit N-1 leaves face N
	 * unmasked, as the photo's own `unmask =` does (docs/masking.md) */
	guint64 unmask;
} AttachePrepOptions;

/* Returns: (transfer full) options with the defaults. */
ATTACHE_API AttachePrepOptions *attache_prep_options_new(void);
ATTACHE_API void attache_prep_options_free(AttachePrepOptions *opts);
/* Adds a copy of @preset. */
ATTACHE_API void attache_prep_options_add_preset(AttachePrepOptions *opts,
	const AttachePreset *preset);

/* ------------------------------------------------------------------ */
/* The option table: every setting declared once (docs/architecture.md) */
/* ------------------------------------------------------------------ */

typedef enum {
	ATTACHE_VALUE_FLAG,	   /* no argument on the command line; true/false */
	ATTACHE_VALUE_BOOL,	   /* true/false, yes/no, on/off, 1/0 */
	ATTACHE_VALUE_INT,	   /* a whole number, 0 or more */
	ATTACHE_VALUE_SECONDS, /* a number of seconds, 0 or more */
	ATTACHE_VALUE_TEXT,	   /* UTF-8 text */
	ATTACHE_VALUE_LANG,	   /* a language tag: en, fr, zh-Hans */
	ATTACHE_VALUE_LANGS,   /* a comma list of language tags */
	ATTACHE_VALUE_NAMES,   /* a comma list of preset names */
	ATTACHE_VALUE_FIT,
	ATTACHE_VALUE_CROP,
	ATTACHE_VALUE_FOCUS,  /* X,Y fractions */
	ATTACHE_VALUE_KEEP,	  /* none, or a list of credit, datetime, camera */
	ATTACHE_VALUE_PIXELS, /* 100MP */
	ATTACHE_VALUE_SIZE,	  /* 512M, 2G (powers of 1024) */
	ATTACHE_VALUE_FILE,	  /* a file (or, for campaign, a NAME) */
	ATTACHE_VALUE_FOLDER,
	ATTACHE_VALUE_DIRS,		 /* absolute folders, one a line */
	ATTACHE_VALUE_TARGETS,	 /* a comma list of upload targets */
	ATTACHE_VALUE_LANGS_ALL, /* a comma list of language tags, or all */
	ATTACHE_VALUE_ROTATE,	 /* 0, 90, 180 or 270 (degrees clockwise) */
	ATTACHE_VALUE_PROTECT,	 /* a comma list of faces, text */
	ATTACHE_VALUE_REGIONS,	 /* X,Y,W,H boxes, fractions of the photo */
	ATTACHE_VALUE_FACES,	 /* face numbers, a comma list (unmask) */
} AttacheValueType;

/* Where a setting may come from; the order in which they win is in
 * docs/architecture.md ("Options and values"). */
#define ATTACHE_SCOPE_PREP (1u << 0)	 /* attache prep's command line */
#define ATTACHE_SCOPE_WATCH (1u << 1)	 /* attache watch's command line */
#define ATTACHE_SCOPE_INI (1u << 2)		 /* INBOX/attache.ini */
#define ATTACHE_SCOPE_PHOTO (1u << 3)	 /* a photo's PHOTO.attache.ini (or sidecar, manifest row) */
#define ATTACHE_SCOPE_CAMPAIGN (1u << 4) /* a campaign .ini */
#define ATTACHE_SCOPE_PRESET (1u << 5)	 /* a preset .ini */
#define ATTACHE_SCOPE_REVIEW (1u << 6)	 /* attache review's command line */
#define ATTACHE_SCOPE_API (1u << 7)		 /* attache_prep_options_set() */
#define ATTACHE_SCOPE_UPLOAD (1u << 8)	 /* attache upload's command line */

/* Given on the command line, attache.ini cannot change it */
#define ATTACHE_OPTION_PINNABLE (1u << 0)
/* the command line only: attache.ini may not give it at all */
#define ATTACHE_OPTION_OPERATOR (1u << 1)
/* may be given more than once (values are joined) */
#define ATTACHE_OPTION_REPEATABLE (1u << 2)

/**
 * AttacheOption: one row of the option table. All strings are static.
 * The same name may have one row per command when its text differs
 * (`out` in prep and in watch); attache_option_find() takes the scope.
 */
typedef struct {
	const char *name;  /* the flag without --, and the attache.ini key */
	const char *alias; /* an old spelling still accepted, or %NULL */
	char short_name;   /* -p, or 0 */
	AttacheValueType type;
	guint scope;			   /* ATTACHE_SCOPE_* bits */
	guint flags;			   /* ATTACHE_OPTION_* bits */
	const char *default_value; /* as the docs show it (Markdown), or %NULL */
	const char *metavar;	   /* NAME, DIR ...; %NULL for a flag */
	const char *help;		   /* the --help line */
	const char *doc;		   /* the docs' table cell (Markdown) */
} AttacheOption;

/* The table, in the order the docs list it. @n: (out) its length.
 * Returns: (transfer none). */
ATTACHE_API const AttacheOption *attache_options(guint *n);
/* The row for @name (or its alias) whose scope has a bit of @scope, or
 * %NULL. (transfer none) */
ATTACHE_API const AttacheOption *attache_option_find(const char *name, guint scope);
/* Checks @value against @option's type, as attache.ini gives it ("fit:
 * \"x\": expected cover, contain or inside"); upload targets only as
 * names (which platforms exist is the upload module's). %ATTACHE_E_USAGE
 * when bad. */
ATTACHE_API AttacheCode attache_option_check(const AttacheOption *option,
	const char *value, GError **error);
/* The Markdown table of @scope's options that docs/prep.md and
 * docs/watch.md carry (`attache options --markdown`). (transfer full) */
ATTACHE_API char *attache_options_markdown(guint scope);

/* Sets one setting of @opts by its table name ("presets", "fit",
 * "campaign" ...) or as its flag ("--fit"), checked now; the flag spelling
 * makes messages name the flag ("--fit: \"x\": expected ..."). Files
 * (campaign, alt-file, alt-manifest) are read now, in full; "presets" and
 * "campaign" look names up in "preset-dir" (or the default presets) given
 * before them. %ATTACHE_E_USAGE, or the code of the file or alt text that
 * failed (%ATTACHE_E_INPUT, %ATTACHE_E_ALT), with @error naming the option.
 * Keys without %ATTACHE_SCOPE_API (jobs, upload) are the batch's, not the
 * options': refused. */
ATTACHE_API AttacheCode attache_prep_options_set(AttachePrepOptions *opts,
	const char *key, const char *value, GError **error);
/* The checks that need every setting at once (--crop focus needs
 * --focus; --alt or --alt-file, not both; --lang against the campaign),
 * and the defaults of what was not set (presets: x-landscape, by: the
 * login name). Call it once, after the last attache_prep_options_set(). */
ATTACHE_API AttacheCode attache_prep_options_finish(AttachePrepOptions *opts,
	GError **error);

/**
 * attache_prep_photo:
 * @opts: (transfer none): options
 * @input: (transfer none): path of the photo
 * @outputs: (out) (transfer full): AttacheOutput*, one per preset, in the
 *   order of @opts->presets, also when the photo failed as a whole
 *
 * Decodes the photo once and makes every preset's output from it. Each output
 * is audited in memory and written atomically (temporary file in the output
 * folder, fsync, rename); one that fails the audit is never written.
 *
 * Returns: %ATTACHE_OK when every output was written; otherwise the code of
 * the first failure, with @error set (each output also says why).
 */
ATTACHE_API AttacheCode attache_prep_photo(const AttachePrepOptions *opts,
	const char *input, GPtrArray **outputs, GError **error);

/* Like attache_prep_photo(), naming the outputs STEM.PRESET.EXT with @stem
 * (%NULL: the photo's file name without extension). The CLI uses it when
 * two photos of one batch share a name. */
ATTACHE_API AttacheCode attache_prep_photo_as(const AttachePrepOptions *opts,
	const char *input, const char *stem, GPtrArray **outputs, GError **error);

/* Whether @path has a name attache treats as a photo (by extension). */
ATTACHE_API gboolean attache_is_image_name(const char *path);

/* The outputs that @dir's attache-manifest.jsonl lists and that are still
 * there, as realpath()s: a caller collecting photos from folders skips
 * them (`attache prep -o same same`). Returns: (transfer full) a set
 * (g_hash_table_contains()), empty when there is no manifest. */
ATTACHE_API GHashTable *attache_output_folder_files(const char *dir);

/* ------------------------------------------------------------------ */
/* Campaigns: branding layers (docs/campaigns.md)                       */
/* ------------------------------------------------------------------ */

/**
 * attache_campaign_load:
 * @file_or_name: (transfer none): a campaign .ini, or a NAME looked up as
 *   $XDG_CONFIG_HOME/attache/campaigns/NAME.ini
 * @presets: (transfer none) (nullable): when given, per-preset overrides
 *   ([LAYER@PRESET]) must name one of these presets
 * @out: (out) (transfer full): free with attache_campaign_free()
 *
 * Reads and checks the whole campaign before any photo: every key and value,
 * Pango markup, font families, that an installed font draws every character
 * of every language variant, and every asset (decoded into memory once, for
 * the whole batch). Errors name the file, line, group and key.
 * The campaign keeps rendered layers for the batch; it may be shared by
 * threads preparing photos at once.
 *
 * Returns: %ATTACHE_OK or %ATTACHE_E_USAGE.
 */
ATTACHE_API AttacheCode attache_campaign_load(const char *file_or_name,
	const AttachePresetSet *presets, AttacheCampaign **out, GError **error);
ATTACHE_API void attache_campaign_free(AttacheCampaign *campaign);
/* [campaign] name, or the file's stem. (transfer none) */
ATTACHE_API const char *attache_campaign_name(const AttacheCampaign *campaign);
/* The file it was read from. (transfer none) */
ATTACHE_API const char *attache_campaign_path(const AttacheCampaign *campaign);
/* [campaign] languages, %NULL-terminated, or %NULL when it declares none.
 * (transfer none) */
ATTACHE_API const char *const *attache_campaign_languages(const AttacheCampaign *campaign);
/* [campaign] lang: the language used without --lang, or %NULL. */
ATTACHE_API const char *attache_campaign_default_lang(const AttacheCampaign *campaign);
/* The upload account [accounts] names for @lang (or for its primary
 * subtag: fr-CA goes with fr), or %NULL: the default account. @campaign may
 * be %NULL. (transfer none) */
ATTACHE_API const char *attache_campaign_account(const AttacheCampaign *campaign,
	const char *lang);
/* Whether @name may name an account: 1 to 64 letters, digits, - and _. */
ATTACHE_API gboolean attache_account_name_valid(const char *name);
/* Whether @lang (%NULL: the campaign's default) is a language tag the
 * campaign can be drawn in. @campaign may be %NULL (checks the tag only). */
ATTACHE_API AttacheCode attache_campaign_check_lang(const AttacheCampaign *campaign,
	const char *lang, GError **error);

/* ------------------------------------------------------------------ */
/* Alt text (docs/alt-text.md)                                          */
/* ------------------------------------------------------------------ */

ATTACHE_API void attache_alt_free(AttacheAlt *alt);
/* Checks one alt text: valid UTF-8, not blank, no control characters but
 * tab and newline. @what names it in the error ("--alt", a file).
 * Returns: %ATTACHE_OK or %ATTACHE_E_ALT. */
ATTACHE_API AttacheCode attache_alt_validate(const char *text, const char *what,
	GError **error);
/* Reads alt text from a UTF-8 file (a BOM and surrounding white space are
 * dropped) and validates it. @out: (transfer full).
 * Returns: %ATTACHE_OK, %ATTACHE_E_INPUT (unreadable) or %ATTACHE_E_ALT. */
ATTACHE_API AttacheCode attache_alt_read_file(const char *path, char **out,
	GError **error);
/* Reads a CSV manifest (RFC 4180, UTF-8, header file,lang,alt) into the
 * table AttachePrepOptions.manifest holds. @out: (transfer full).
 * Returns: %ATTACHE_OK or %ATTACHE_E_USAGE naming the file and line. */
ATTACHE_API AttacheCode attache_alt_manifest_load(const char *path, GHashTable **out,
	GError **error);

/* ------------------------------------------------------------------ */
/* Atomic files                                                         */
/* ------------------------------------------------------------------ */

/* Writes @data to @path atomically: a temporary file in the same folder,
 * fsync, rename, fsync of the folder. An existing @path is replaced only by
 * the complete new file. */
ATTACHE_API AttacheCode attache_write_atomic(const char *path, const void *data,
	gsize len, GError **error);

/* Hex SHA-256 of a file. Returns: (transfer full) or %NULL with @error. */
ATTACHE_API char *attache_file_sha256(const char *path, GError **error);

/* Reads a small regular file whole, bounded (docs/security.md): a device,
 * FIFO, socket or folder is refused without blocking, a file over
 * @max_bytes before a byte is read. @out: (transfer full), NUL-terminated;
 * @len may be %NULL. %ATTACHE_E_INPUT or %ATTACHE_E_LIMIT, naming @path. */
ATTACHE_API AttacheCode attache_read_small_file(const char *path, gsize max_bytes,
	char **out, gsize *len, GError **error);

/* ------------------------------------------------------------------ */
/* Hot folder (docs/watch.md)                                           */
/* ------------------------------------------------------------------ */

/**
 * AttacheWatchTake: a complete photo the hot folder hands over instead of
 * preparing it (AttacheWatchOptions.take). All fields are borrowed for
 * the call.
 */
typedef struct {
	const char *path;	 /* the photo, still in the inbox: copy it */
	const char *name;	 /* its file name */
	const char *id;		 /* the hand-over's id: the same when a restart
						  * hands the same photo over again */
	const char *sha256;	 /* of the photo's bytes when it was found complete */
	const char *presets; /* the folder's presets ("x-landscape,mastodon") */
} AttacheWatchTake;

/* Keeps @photo for good before the hot folder moves it to done/; called
 * on a worker thread, after the step is journalled, so a crash before the
 * move hands it over again with the same id (answer %ATTACHE_OK again).
 * %ATTACHE_E_WRITE: try again later; another code fails the photo
 * (failed/ and its error file, in words for that code). */
typedef AttacheCode (*AttacheWatchTakeFunc)(const AttacheWatchTake *photo,
	gpointer user_data, GError **error);

/**
 * AttacheWatchOptions: how to run a hot folder. Make one with
 * attache_watch_options_new(); scalar fields may be set directly, settings
 * (the keys of INBOX/attache.ini) with attache_watch_options_set().
 */
typedef struct {
	char *inbox;		  /* the folder people drop photos into */
	int jobs;			  /* photos prepared at once; 0: number of cores */
	double settle;		  /* seconds a still-open file must stay unchanged; 2 */
	double poll;		  /* 0: inotify; > 0: rescan every POLL seconds */
	gboolean once;		  /* process what is there, then return */
	char *preset_dir;	  /* user presets folder, %NULL: the default */
	GHashTable *settings; /* key -> value: wins over attache.ini (owned) */
	/* the workers' memory budget in bytes (--max-memory); 0: the default */
	gint64 max_memory;
	/* when set, each complete photo is handed to @take instead of being
	 * prepared here (`attache serve --inbox`: the desk prepares it), then
	 * moved to done/; %NULL: prepared here */
	AttacheWatchTakeFunc take;
	gpointer take_data;
} AttacheWatchOptions;

/* Returns: (transfer full) options for @inbox with the defaults. */
ATTACHE_API AttacheWatchOptions *attache_watch_options_new(const char *inbox);
ATTACHE_API void attache_watch_options_free(AttacheWatchOptions *opts);

/* Sets one setting as attache.ini would ("presets", "out", "keep" ...;
 * docs/watch.md lists them), checked now; it wins over the folder's
 * attache.ini. %ATTACHE_E_USAGE for an unknown key or a bad value. */
ATTACHE_API AttacheCode attache_watch_options_set(AttacheWatchOptions *opts,
	const char *key, const char *value, GError **error);

/* Whether the hot folder leaves a file of this name alone: dotfiles,
 * partial downloads (*.part, *.crdownload, *.tmp ...), Office lock files
 * (~$*), Thumbs.db, desktop.ini, and its own attache.ini and attache.log. */
ATTACHE_API gboolean attache_watch_ignores_name(const char *name);

typedef enum {
	ATTACHE_WATCH_DONE = 0,		/* outputs landed, original in done/ */
	ATTACHE_WATCH_FAILED = 1,	/* original and PHOTO.error.txt in failed/ */
	ATTACHE_WATCH_RETRY = 2,	/* could not finish now (disk?); stays */
	ATTACHE_WATCH_SETTINGS = 3, /* attache.ini read, or refused */
	ATTACHE_WATCH_NOTICE = 4,	/* something the operator should know */
	ATTACHE_WATCH_AWAITING = 5, /* landed; upload waits for approval
								 * (require-approval, docs/review.md) */
} AttacheWatchEventKind;

/**
 * AttacheWatchEvent: what the hot folder reports, on the thread that runs
 * attache_watch_run(). All fields are borrowed for the call.
 */
typedef struct {
	AttacheWatchEventKind kind;
	const char *photo;	 /* file name in the inbox, or %NULL */
	AttacheCode code;	 /* %ATTACHE_OK or why */
	const char *message; /* one line for a person, or %NULL */
	const char *json;	 /* the line written to INBOX/attache.log, or %NULL */
} AttacheWatchEvent;

typedef void (*AttacheWatchFunc)(const AttacheWatchEvent *event,
	gpointer user_data);

typedef struct _AttacheWatch AttacheWatch;

/* Checks @opts (the inbox exists, presets and attache.ini are valid) and
 * copies them. @out: (transfer full). */
ATTACHE_API AttacheCode attache_watch_new(const AttacheWatchOptions *opts,
	AttacheWatchFunc fn, gpointer user_data, AttacheWatch **out,
	GError **error);
ATTACHE_API void attache_watch_free(AttacheWatch *watch);

/* Runs the hot folder on the thread-default main context: finishes what an
 * interrupted run left, processes what is in the inbox, then watches it
 * until attache_watch_stop() (or, with @once, until the inbox is done).
 * Returns %ATTACHE_OK, or the error that kept it from running (another
 * watcher holds the folder, the folder cannot be written ...).
 * Photos that fail are events, not errors; see attache_watch_failures(). */
ATTACHE_API AttacheCode attache_watch_run(AttacheWatch *watch, GError **error);
/* Asks a running watch to finish the photos in hand and return. Safe from
 * any thread. */
ATTACHE_API void attache_watch_stop(AttacheWatch *watch);
/* Photos moved to failed/ or left for a retry by this run. */
ATTACHE_API int attache_watch_failures(const AttacheWatch *watch);
/* Whether the last attache_watch_run() stopped because the inbox folder
 * was deleted or replaced by another folder of the same name (it then
 * returned %ATTACHE_E_INPUT). The attache command exits 4 (docs/exit-codes.md). */
ATTACHE_API gboolean attache_watch_inbox_lost(const AttacheWatch *watch);

/* ------------------------------------------------------------------ */
/* Upload (docs/upload.md)                                              */
/* ------------------------------------------------------------------ */

typedef enum {
	ATTACHE_TARGET_X = 0,
	ATTACHE_TARGET_MASTODON = 1,
	ATTACHE_TARGET_BLUESKY = 2,
} AttacheTarget;

/* "x", "mastodon", "bluesky". Static string. */
ATTACHE_API const char *attache_target_name(AttacheTarget target);
ATTACHE_API gboolean attache_target_from_string(const char *s, AttacheTarget *out);

/**
 * AttacheCredentials: what one target needs to upload. Filled by
 * attache_credentials_load(), or by a caller that keeps secrets elsewhere
 * (every string is owned by the struct; unused ones are %NULL).
 */
typedef struct {
	AttacheTarget target;
	char *base_url; /* X API, Mastodon instance or Bluesky PDS; %NULL: the
					 * platform's (X, Bluesky) */
	/* X: OAuth 1.0a user context (all four), or an OAuth 2.0 user access
	 * token with the media.write scope */
	char *x_consumer_key, *x_consumer_secret;
	char *x_access_token, *x_access_secret;
	char *x_bearer;
	char *mastodon_token;
	char *bluesky_handle, *bluesky_app_password;
	char *source;  /* "environment" or the file they came from */
	char *account; /* the account's name ([x.fr]), %NULL: the default */
} AttacheCredentials;

/* Reads the credentials for @target from the environment (ATTACHE_X_*,
 * ATTACHE_MASTODON_*, ATTACHE_BLUESKY_*), and for what the environment
 * lacks, from @ini_path (%NULL: $XDG_CONFIG_HOME/attache/credentials.ini),
 * which is refused when group or others may read it. %ATTACHE_E_AUTH when
 * something is missing or the file is refused; %ATTACHE_E_USAGE for a base
 * URL that is not https (plain http only to loopback).
 * @out: (transfer full). */
ATTACHE_API AttacheCode attache_credentials_load(AttacheTarget target,
	const char *ini_path, AttacheCredentials **out, GError **error);
/* The same for the account @account of @target (%NULL: the default one, as
 * attache_credentials_load()): the group [TARGET.ACCOUNT] of @ini_path
 * ([x.fr], [mastodon.un-ar]). Its values come from that group only, never
 * from the environment, which holds the default account's; only the base
 * URL, when the group has none, comes from the environment or the
 * [TARGET] group. @out: (transfer full). */
ATTACHE_API AttacheCode attache_credentials_load_account(AttacheTarget target,
	const char *account, const char *ini_path, AttacheCredentials **out,
	GError **error);
/* Overwrites the secrets, then frees. */
ATTACHE_API void attache_credentials_free(AttacheCredentials *creds);

/* A verbose line (a request, a retry); secrets are already redacted. */
typedef void (*AttacheLogFunc)(const char *line, gpointer user_data);
/* Where libvips' own warnings go (from attache_init() on, which takes
 * libvips' log domain over): @func gets each line, %NULL drops them. They
 * never decide anything; errors come back as GErrors. */
ATTACHE_API void attache_set_vips_log(AttacheLogFunc func, gpointer user_data);

/**
 * AttacheUploadOptions: how hard to try. attache_upload_options_new() sets
 * the defaults, then the environment's ATTACHE_HTTP_TIMEOUT,
 * ATTACHE_HTTP_RETRIES, ATTACHE_HTTP_RETRY_BASE, ATTACHE_HTTP_MAX_WAIT,
 * ATTACHE_HTTP_POLL_INTERVAL, ATTACHE_X_SEGMENT_BYTES and
 * ATTACHE_BLUESKY_MAX_BYTES (docs/upload.md).
 */
typedef struct {
	double timeout;			   /* s with no byte sent or received: 30 */
	double connect_timeout;	   /* s: 10 */
	int retries;			   /* retries of one request: 4 */
	double retry_base;		   /* first backoff, doubled each time: 1 s */
	double max_wait;		   /* longest rate-limit or poll wait: 120 s */
	double poll_interval;	   /* processing poll when unsaid: 1 s */
	double processing_timeout; /* longest wait for processing: 600 s */
	gint64 x_segment_bytes;	   /* X append segment: 4 MiB (the maximum) */
	gint64 bluesky_max_bytes;  /* 2000000 (1000000: older servers) */
	char *cache_dir;		   /* %NULL: $XDG_CACHE_HOME/attache */
	AttacheLogFunc log;		   /* %NULL: quiet */
	gpointer log_data;
	/* upload only outputs whose bytes were approved by someone other than
	 * who prepared them (attache_approval_check(), docs/review.md); a file
	 * that is not is refused with %ATTACHE_E_APPROVAL. Default %FALSE. */
	gboolean require_approval;
	/* a file with no alt text (none given, none of its own) is refused
	 * with %ATTACHE_E_ALT. Default %FALSE; `attache upload` sets it
	 * unless --allow-no-alt. */
	gboolean require_alt;
} AttacheUploadOptions;

/* Returns: (transfer full). */
ATTACHE_API AttacheUploadOptions *attache_upload_options_new(void);
ATTACHE_API void attache_upload_options_free(AttacheUploadOptions *opts);

typedef struct _AttacheUploader AttacheUploader;

/* An uploader for @creds->target. Nothing is sent yet. @creds and @opts are
 * copied. Calls may come from several threads; uploads are serialised.
 * @out: (transfer full). */
ATTACHE_API AttacheCode attache_uploader_new(const AttacheCredentials *creds,
	const AttacheUploadOptions *opts, AttacheUploader **out, GError **error);
ATTACHE_API void attache_uploader_free(AttacheUploader *up);

/**
 * AttacheUploadResult: one file uploaded (or not) to one target. Strings
 * are owned by the struct.
 */
typedef struct {
	char *file;
	AttacheTarget target;
	char *media_id;	   /* X, Mastodon: the id, a string; %NULL otherwise */
	char *blob;		   /* Bluesky: the blob object as JSON text; %NULL else */
	char *alt_text;	   /* as sent, or %NULL */
	int width, height; /* as displayed */
	gint64 bytes;
	char *mime;
	gboolean reused; /* this run had already uploaded it: same media */
	AttacheCode code;
	char *error; /* names the file and the problem, when code != OK */
	/* sent, but something a person should know (the approval gate: a
	 * damaged manifest line that is not this file's), or %NULL */
	char *warning;
	char *lang;		   /* the output's language (its manifest line, else
						* its XMP), or %NULL when unknown */
	gint64 expires_at; /* when the platform drops the media if no post
						* uses it (Unix seconds, UTC); 0: not said */
	char *account;	   /* the uploader's account ([x.fr]: "fr"), %NULL: the
						* default */
} AttacheUploadResult;

/**
 * attache_upload_file:
 * @up: (transfer none): the uploader
 * @path: (transfer none): the file to upload, as it is (already prepared)
 * @alt_text: (transfer none) (nullable): its alt text; %NULL: the file's
 *   own (its XMP's, in the output's language, else its manifest line's;
 *   under require_approval only the XMP's, docs/upload.md)
 * @have_focus, @focus_x, @focus_y: the focal point (Mastodon), fractions
 *   0..1 of the uploaded image from its top-left corner
 * @out: (out) (transfer full): the result, also on failure
 *
 * Audits the file again and checks it against the platform's byte, pixel,
 * type and alt-text limits: a file that fails is never sent. Then uploads
 * it with its alt text (X: chunked upload, processing, alt-text metadata;
 * Mastodon: media with description and focus, processing; Bluesky: blob).
 * The same file with the same alt text and focus is uploaded once per
 * uploader: a second call returns the first media.
 *
 * Returns: %ATTACHE_OK, or the code of the failure with @error set.
 */
ATTACHE_API AttacheCode attache_upload_file(AttacheUploader *up, const char *path,
	const char *alt_text, gboolean have_focus, double focus_x,
	double focus_y, AttacheUploadResult **out, GError **error);
ATTACHE_API void attache_upload_result_free(AttacheUploadResult *result);
/* The language of the prepared output @path, as attache_upload_file() sees
 * it: its manifest line's lang, else the one its XMP's x-default stands
 * for; %NULL when neither says or the file cannot be read. For choosing
 * each language's account (attache_campaign_account()) before uploading.
 * Returns: (transfer full) (nullable). */
ATTACHE_API char *attache_upload_file_lang(const char *path);
/* The one-line JSON object for @result (docs/upload.md).
 * Returns: (transfer full). */
ATTACHE_API char *attache_upload_result_to_json(const AttacheUploadResult *result);

/* ------------------------------------------------------------------ */
/* Batches: files and folders, as `attache prep` takes them             */
/* ------------------------------------------------------------------ */

/**
 * AttacheBatchOptions: what a batch adds to #AttachePrepOptions. Make one
 * with attache_batch_options_new(); fields may be set directly.
 */
typedef struct {
	int jobs;							  /* photos prepared at once; 0: number of cores */
	char *upload;						  /* owned: comma list of targets ("x,mastodon"), each
										   * output uploaded to its preset's platform; %NULL: none */
	AttacheUploadOptions *upload_options; /* owned; the defaults */
	char *alt_manifest;					  /* owned: the file opts->manifest was read from,
										   * named in warnings; %NULL: none given */
	/* --dry-run: report each output the batch would write (through the
	 * sink's output callback, with its path) and write nothing: no
	 * output folder, no manifest, no upload; photos are not decoded
	 * (docs/prep.md, "Dry run") */
	gboolean dry_run;
} AttacheBatchOptions;

/* Returns: (transfer full). */
ATTACHE_API AttacheBatchOptions *attache_batch_options_new(void);
ATTACHE_API void attache_batch_options_free(AttacheBatchOptions *bopts);

typedef enum {
	ATTACHE_BATCH_ERROR = 0,   /* a folder that cannot be read */
	ATTACHE_BATCH_WARNING = 1, /* a name collision, an alt-text row ... */
	ATTACHE_BATCH_NOTE = 2,	   /* a file left out, and why */
} AttacheBatchLevel;

/**
 * AttacheBatchSink: how a batch reports and records. Every member may be
 * %NULL. All arguments are borrowed for the call. Unless said, a callback
 * runs on the thread that called attache_prep_batch(), one at a time.
 */
typedef struct {
	/* one line for a person; names in it are not escaped yet */
	void (*message)(AttacheBatchLevel level, const char *text,
		gpointer user_data);
	/* the files and folders are walked: @photos will be prepared */
	void (*started)(int photos, gpointer user_data);
	/* On a worker thread, at once for each output written: make it
	 * known (a manifest line, a database row). %FALSE with @error: the
	 * output is deleted and fails with %ATTACHE_E_WRITE, since an output
	 * nobody recorded is not published. Called from several threads at
	 * once. %NULL: OUT/attache-manifest.jsonl when opts->write_manifest. */
	gboolean (*record)(const AttacheOutput *output, gpointer user_data,
		GError **error);
	/* each distinct warning of a photo (alt text, campaign), once, before
	 * its outputs */
	void (*warning)(const char *input, const char *text, gpointer user_data);
	/* each output of a photo, in preset order, after its upload (@upload:
	 * %NULL when it was not uploaded) */
	void (*output)(const AttacheOutput *output,
		const AttacheUploadResult *upload, gpointer user_data);
	/* the photo is finished: %ATTACHE_OK, or why it failed (@message) */
	void (*photo_done)(const char *input, AttacheCode code,
		const char *message, gpointer user_data);
} AttacheBatchSink;

/* What a batch did. */
typedef struct {
	int photos;			/* found in the files and folders */
	int failed;			/* photos that failed */
	int outputs;		/* outputs written (with dry_run: that would be) */
	int uploads_failed; /* uploads that failed */
	int without_alt;	/* photos with an output that carries no alt text */
} AttacheBatchSummary;

/**
 * attache_prep_batch:
 * @opts: (transfer none): how to prepare each photo; @opts->out_dir is
 *   created
 * @bopts: (transfer none) (nullable): jobs and uploads; %NULL: defaults
 * @inputs: (transfer none): %NULL-terminated files and folders: a file is
 *   always tried; a folder is walked (sorted, no dotfiles, no symbolic
 *   links, 32 deep), skipping the output folder and its own outputs
 * @sink: (transfer none) (nullable): callbacks; %NULL: record in the
 *   manifest, report nothing
 * @summary: (out) (optional): counts, also on failure
 *
 * What `attache prep FILE|DIR...` does: walks the inputs, names the
 * outputs (a stem shared by two photos gets -2, -3 ...), splits the cores
 * between photos at once, outputs at once and libvips' threads, prepares
 * each photo on a pool of @bopts->jobs workers and uploads each output to
 * the target of its preset's platform, one upload at a time on this
 * thread while the workers go on. One bad photo never stops the batch.
 *
 * The first batch of a process sets libvips' threads (one scheduler per
 * process) unless attache_set_concurrency() was called.
 *
 * Returns: %ATTACHE_OK when the batch ran (photos that failed are reported
 * through @sink and counted in @summary, not returned); %ATTACHE_E_USAGE
 * (no preset, an unknown target or one no preset is made for), the
 * credentials' code, %ATTACHE_E_WRITE (the output folder cannot be made)
 * or %ATTACHE_E_INPUT (no photo found), with @error set.
 */
ATTACHE_API AttacheCode attache_prep_batch(const AttachePrepOptions *opts,
	const AttacheBatchOptions *bopts, const char *const *inputs,
	const AttacheBatchSink *sink, gpointer user_data,
	AttacheBatchSummary *summary, GError **error);

/* ------------------------------------------------------------------ */
/* Review and approval (docs/review.md)                                 */
/* ------------------------------------------------------------------ */

/**
 * AttacheApproval: one record of DIR/approvals.json: @by approved the bytes
 * whose SHA-256 is @sha256 of the output @file (a file name in DIR) at @at.
 */
typedef struct {
	char *file;
	char *sha256; /* 64 lower-case hex digits */
	char *by;
	char *at; /* ISO 8601, UTC */
} AttacheApproval;

ATTACHE_API void attache_approval_free(AttacheApproval *approval);

/* Reads DIR/approvals.json. No file: an empty array. A damaged file is
 * %ATTACHE_E_APPROVAL naming it and the problem, never an empty list.
 * @out: (transfer full): AttacheApproval*, in the file's order. */
ATTACHE_API AttacheCode attache_approvals_load(const char *dir, GPtrArray **out,
	GError **error);

typedef enum {
	ATTACHE_APPROVAL_APPROVED = 0,	  /* by someone who did not prepare it */
	ATTACHE_APPROVAL_NONE = 1,		  /* nobody approved it */
	ATTACHE_APPROVAL_SELF_ONLY = 2,	  /* approved only by who prepared it */
	ATTACHE_APPROVAL_CHANGED = 3,	  /* approved, then the file changed */
	ATTACHE_APPROVAL_NO_PREPARER = 4, /* no record of who prepared it */
	ATTACHE_APPROVAL_DAMAGED = 5,	  /* approvals.json or the manifest is
									   * damaged: nothing counts */
} AttacheApprovalState;

/* "approved", "not-approved", "self-approved", "changed", "no-preparer",
 * "damaged". Static string. */
ATTACHE_API const char *attache_approval_state_name(AttacheApprovalState state);

/* Where one output stands. Strings are owned by the struct. */
typedef struct {
	char *file;	  /* as given */
	char *sha256; /* of the bytes checked */
	AttacheApprovalState state;
	char *prepared_by; /* who prepared these bytes ("a, b"), or %NULL */
	char *approved_by; /* who approved them and counts ("c, d"), or %NULL */
	char *approved_at; /* the first such approval, or %NULL */
	char *message;	   /* why it is not approved, naming the file; %NULL when
						* approved */
	/* approved, yet a line of the folder's manifest (not its own) is
	 * damaged: "PATH line N is damaged: why" for a warning; or %NULL */
	char *note;
} AttacheApprovalStatus;

ATTACHE_API void attache_approval_status_free(AttacheApprovalStatus *status);

/**
 * attache_approval_check:
 * @path: (transfer none): an output; its folder's attache-manifest.jsonl
 *   and approvals.json are read
 * @sha256: (transfer none) (nullable): the SHA-256 (hex) of the bytes about
 *   to be used; %NULL: the file's as it is now
 * @out: (out) (optional) (transfer full): the status, also when refused
 *
 * The two-person gate: the bytes must have been approved by someone who
 * is not among those who prepared them (prepared_by of every manifest line
 * with these bytes; names compared case-insensitively).
 *
 * Returns: %ATTACHE_OK when approved; otherwise %ATTACHE_E_APPROVAL with
 * @error saying what is missing (%ATTACHE_E_INPUT when @path cannot be
 * read).
 */
ATTACHE_API AttacheCode attache_approval_check(const char *path, const char *sha256,
	AttacheApprovalStatus **out, GError **error);

/* What attache_approve() did with one file. Strings owned by the struct. */
typedef struct {
	char *file; /* DIR/NAME */
	char *sha256;
	gboolean again; /* this reviewer had approved these bytes before: the
					 * first record is kept */
	gboolean self;	/* this reviewer prepared them: recorded, but it does
					 * not count for the gate */
	char *prepared_by;
	AttacheCode code; /* %ATTACHE_OK: recorded */
	char *error;	  /* why not, naming the file */
	/* not recorded because it needs a deliberate yes (code is then
	 * %ATTACHE_E_APPROVAL, and it is no failure of attache_approve()) */
	gboolean left;
	AttacheSeverity severity; /* the worst of @reasons */
	char **reasons;			  /* the flags that left or blocked it, worst
							   * first (docs/review.md); %NULL when none */
} AttacheApproveResult;

ATTACHE_API void attache_approve_result_free(AttacheApproveResult *result);

/**
 * attache_approve:
 * @dir: (transfer none): the output folder
 * @by: (transfer none): the reviewer's name
 * @files: (transfer none) (nullable): outputs in @dir (paths or names),
 *   %NULL-terminated; %NULL: every output in the manifest still present
 * @results: (out) (transfer full): AttacheApproveResult*, one per file
 *
 * Records in DIR/approvals.json that @by approved each file's current
 * SHA-256. Only outputs the manifest records with these very bytes can be
 * approved. The file is read, updated and written atomically under a lock
 * (DIR/.approvals.json.lock), so concurrent runs lose nothing; a damaged
 * file is an error and is left as it is.
 *
 * attache_approve_with() with only @files: outputs that need a deliberate
 * yes are left (docs/review.md, "Severities"), blocking ones refused.
 *
 * Returns: %ATTACHE_OK when every file was recorded or left; otherwise the
 * first failure's code, with @error set.
 */
ATTACHE_API AttacheCode attache_approve(const char *dir, const char *by,
	const char *const *files, GPtrArray **results, GError **error);

/* What attache_approve_with() approves; zero it, then set what you need. */
typedef struct {
	/* outputs to consider (paths or names), %NULL-terminated; %NULL with
	 * @named %NULL too: every output of the manifest still present. A
	 * list (a shell glob) never counts as naming an output. */
	const char *const *files;
	/* outputs named one by one: approved even when they need a
	 * deliberate yes (never when blocking) */
	const char *const *named;
	/* approve every output that needs a deliberate yes, too */
	gboolean include_flagged;
} AttacheApproveOptions;

/* attache_approve() with @opts (%NULL: every output, none flagged). */
ATTACHE_API AttacheCode attache_approve_with(const char *dir, const char *by,
	const AttacheApproveOptions *opts, GPtrArray **results, GError **error);

/* How to build the review page. Make one with
 * attache_review_options_new(); fields may be set directly. */
typedef struct {
	gboolean embed;					 /* small previews as data: URIs: the page travels
									  * alone (default: relative links to the outputs) */
	int preview_size;				 /* longest side of an embedded preview: 640 */
	char **languages;				 /* alt text expected in these languages (owned,
									  * %NULL-terminated), or %NULL */
	const AttachePresetSet *presets; /* (transfer none) (nullable): for the
									  * alt-text limits; %NULL: the default
									  * set */
} AttacheReviewOptions;

/* Returns: (transfer full). */
ATTACHE_API AttacheReviewOptions *attache_review_options_new(void);
ATTACHE_API void attache_review_options_free(AttacheReviewOptions *opts);

typedef struct {
	int photos, outputs;
	int attention;	 /* outputs with something a reviewer must look at */
	int changed;	 /* outputs whose bytes differ from the manifest */
	int approved;	 /* outputs that pass the gate now */
	int damaged;	 /* damaged manifest lines, plus 1 for approvals.json */
	int blocking;	 /* outputs with a blocking flag: never approved */
	int needs_yes;	 /* outputs that need a deliberate yes (and none blocking) */
	int without_alt; /* photos with an output that carries no alt text */
	int failed;		 /* photos that failed (manifest failure lines) */
} AttacheReviewSummary;

/**
 * attache_review_build:
 * @dir: (transfer none): the output folder (with attache-manifest.jsonl)
 * @page: (transfer none) (nullable): where the page will be saved, for
 *   relative links; %NULL: DIR/review.html
 * @html: (out) (transfer full): the page
 * @summary: (out) (optional): counts
 *
 * A self-contained static HTML page (no script, nothing from the network)
 * for the outputs in @dir, grouped by source photo. %ATTACHE_E_INPUT when
 * @dir has no manifest.
 */
ATTACHE_API AttacheCode attache_review_build(const char *dir, const char *page,
	const AttacheReviewOptions *opts, char **html,
	AttacheReviewSummary *summary, GError **error);

/* attache_review_build(), then attache_write_atomic() to @page (%NULL:
 * DIR/review.html). */
ATTACHE_API AttacheCode attache_review_write(const char *dir, const char *page,
	const AttacheReviewOptions *opts, AttacheReviewSummary *summary,
	GError **error);

G_END_DECLS

#endif /* ATTACHE_H */
