/* SPDX-License-Identifier: MIT */
/*
 * jpeg-tail.c: part of stage 1 (load), a check that libjpeg's decode of a
 * baseline JPEG used all of its entropy-coded data.
 *
 * A flipped bit can make libjpeg's Huffman decoder read one MCU too many
 * and then fall back into step without a warning: every later MCU lands
 * one place to the side, and the decode finishes a few dozen bytes before
 * the end of the data. libjpeg says so ("extraneous bytes before marker")
 * only in jpeg_finish_decompress(), which libvips 8.14 never calls. So the
 * JPEG is handed to libvips through a source that counts how far libjpeg
 * read: in its last KiB, one byte at a time. An intact decode reads up to
 * its end marker; one that stopped earlier, by even one byte, had decoded
 * data that was not the photo's.
 *
 * libjpeg's warnings in the last rows (data that ends before the last
 * block: "premature end of data segment") come after libvips' fail_on has
 * looked for the last time; libvips logs them when the decoder is freed,
 * and init.c counts them for the thread that made the tracker.
 *
 * Conclusive only when the decode reaches the last block row: with DCT
 * scaling libvips drops a last partial row (930 rows at 1/4 give 232 of
 * libjpeg's 233), and with it that row's data. Those photos are read a
 * second time by libjpeg itself at 1/8, to its end (jpeg_finish_decompress
 * and its warnings). Progressive and multi-scan JPEGs need neither: libjpeg
 * reads them to their end before the first row, warnings included.
 */
#include "private.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

/* bytes read one at a time before the end of the entropy-coded data */
#define TAIL_SLOW 1024
/* data bytes an intact decode may leave unread: none. Each byte of the
 * scan holds at least one bit of the last block's codes (the encoder pads
 * only to the byte), so libjpeg must have pulled every one into its bit
 * buffer; it reads the end marker too, or stops right before it. A decode
 * that left even one byte unread decoded something else in its place */
#define TAIL_SLACK 0

struct _AttacheJpegTail {
	const guint8 *data;
	gsize len;
	gint64 pos, max;
	gint64 end;	  /* offset of the marker ending the only scan, or -1 */
	int height;	  /* SOF's */
	int mcu_rows; /* 8 * the largest vertical sampling factor */
	int warnings; /* decoders freed with warnings since _new() */
	VipsSource *source;
};

/* A frame header's height and MCU height (@f: its @n bytes after the
 * length). */
static void
sof(const guint8 *f, gsize n, int *height, int *mcu_rows)
{
	*height = f[1] << 8 | f[2];
	int comps = f[5], vmax = 1;
	for (int c = 0; c < comps && 6 + 3 * (gsize)c + 1 < n; c++)
		vmax = MAX(vmax, f[6 + 3 * c + 1] & 0x0F);
	*mcu_rows = vmax <= 1 ? 8 : 16;
}

gboolean
attache__jpeg_walk(const guint8 *d, gsize n, AttacheJpegLayout *out)
{
	*out = (AttacheJpegLayout){ 0, -1, 0, 16 };
	gsize i = 2;
	while (i + 1 < n && d[i] == 0xFF) {
		guint8 m = d[i + 1];
		if (m == 0xFF || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {
			i += m == 0xFF ? 1 : 2;
			continue;
		}
		if (m == 0xD9)
			return TRUE;
		if (i + 3 >= n)
			return FALSE;
		gsize seg = (gsize)d[i + 2] << 8 | d[i + 3];
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC && seg >= 8 && i + 2 + seg <= n)
			sof(d + i + 4, seg - 2, &out->height, &out->mcu_rows);
		i += 2 + seg;
		if (m != 0xDA)
			continue;
		out->scans++;
		/* entropy-coded data: up to a marker other than RSTn or FF00 */
		for (;;) {
			const guint8 *f = i < n ? memchr(d + i, 0xFF, n - i) : NULL;
			if (!f || (gsize)(f - d) + 1 >= n)
				return FALSE;
			i = (gsize)(f - d);
			guint8 c = d[i + 1];
			if (c == 0x00 || (c >= 0xD0 && c <= 0xD7))
				i += 2;
			else if (c == 0xFF)
				i += 1;
			else
				break;
		}
		out->scan_end = (gint64)i;
	}
	return FALSE;
}

static gint64
tail_read(VipsSourceCustom *s, void *buf, gint64 want, AttacheJpegTail *t)
{
	gint64 left = (gint64)t->len - t->pos;
	gint64 slow = t->end >= 0 ? t->end - TAIL_SLOW : G_MAXINT64;
	gint64 n = MIN(want, left);
	if (t->pos >= slow)
		n = MIN(n, 1);
	else
		n = MIN(n, slow - t->pos);
	if (n <= 0)
		return 0;
	memcpy(buf, t->data + t->pos, (size_t)n);
	t->pos += n;
	t->max = MAX(t->max, t->pos);
	return n;
}

static gint64
tail_seek(VipsSourceCustom *s, gint64 offset, int whence, AttacheJpegTail *t)
{
	gint64 to = whence == SEEK_SET	 ? offset
				: whence == SEEK_CUR ? t->pos + offset
									 : (gint64)t->len + offset;
	if (to < 0 || to > (gint64)t->len)
		return -1;
	return t->pos = to;
}

/* @data must outlive the result, which reads it without copying.
 * (transfer full) */
AttacheJpegTail *
attache__jpeg_tail_new(const guint8 *data, gsize len)
{
	AttacheJpegTail *t = g_new0(AttacheJpegTail, 1);
	t->data = data;
	t->len = len;
	AttacheJpegLayout l;
	gboolean whole = attache__jpeg_walk(data, len, &l);
	t->end = whole && l.scans == 1 ? l.scan_end : -1;
	t->height = l.height;
	t->mcu_rows = l.mcu_rows;
	VipsSourceCustom *c = vips_source_custom_new();
	g_signal_connect(c, "read", G_CALLBACK(tail_read), t);
	g_signal_connect(c, "seek", G_CALLBACK(tail_seek), t);
	t->source = VIPS_SOURCE(c);
	attache__count_decoder_warnings(&t->warnings);
	return t;
}

void
attache__jpeg_tail_free(AttacheJpegTail *t)
{
	if (!t)
		return;
	attache__count_decoder_warnings(NULL);
	/* an image made from the source may hold it longer: never call back
	 * into a freed tracker */
	g_signal_handlers_disconnect_by_data(t->source, t);
	g_object_unref(t->source);
	g_free(t);
}

/* (transfer none): for vips_jpegload_source(). */
VipsSource *
attache__jpeg_tail_source(AttacheJpegTail *t)
{
	return t->source;
}

typedef struct {
	struct jpeg_error_mgr pub;
	jmp_buf jump;
	char message[JMSG_LENGTH_MAX];
} Errors;

static void
on_error(j_common_ptr c)
{
	Errors *e = (Errors *)c->err;
	c->err->format_message(c, e->message);
	longjmp(e->jump, 1);
}

static void
on_message(j_common_ptr c, int level)
{
	Errors *e = (Errors *)c->err;
	if (level < 0 && !e->message[0])
		c->err->format_message(c, e->message);
}

/* libjpeg's own decode at 1/8 to the end: its first warning or error, or
 * NULL. (transfer full) */
static char *
full_scan(const AttacheJpegTail *t)
{
	struct jpeg_decompress_struct d;
	Errors e = { 0 };
	JSAMPLE *row = NULL;
	d.err = jpeg_std_error(&e.pub);
	e.pub.error_exit = on_error;
	e.pub.emit_message = on_message;
	jpeg_create_decompress(&d);
	if (setjmp(e.jump)) {
		g_free(row);
		jpeg_destroy_decompress(&d);
		return g_strdup(e.message);
	}
	jpeg_mem_src(&d, t->data, (unsigned long)t->len);
	jpeg_read_header(&d, TRUE);
	d.scale_num = 1;
	d.scale_denom = 8;
	d.dct_method = JDCT_IFAST;
	d.do_fancy_upsampling = FALSE;
	jpeg_start_decompress(&d);
	row = g_malloc((gsize)d.output_width * d.output_components);
	while (d.output_scanline < d.output_height && !e.message[0])
		jpeg_read_scanlines(&d, &row, 1);
	if (!e.message[0])
		jpeg_finish_decompress(&d);
	g_free(row);
	jpeg_destroy_decompress(&d);
	return e.message[0] ? g_strdup(e.message) : NULL;
}

/* After every row of a decode at 1/@shrink has been read from @t's
 * source, and the image loaded from it freed, in the thread that made @t:
 * why its data cannot be the photo's, or NULL. (transfer full) */
char *
attache__jpeg_tail_check(AttacheJpegTail *t, int shrink)
{
	if (t->warnings)
		return g_strdup("libjpeg found corrupt data in its last rows");
	if (t->end < 0)
		return NULL;
	if (shrink > 1 && t->height % shrink != 0)
		return full_scan(t);
	g_log("attache", G_LOG_LEVEL_DEBUG, "tail: %" G_GINT64_FORMAT " bytes unread",
		t->end - t->max);
	if (t->max + TAIL_SLACK >= t->end)
		return NULL;
	return g_strdup_printf("the decode ended %" G_GINT64_FORMAT " bytes "
						   "before the end of the image data (blocks out of place)",
		t->end - t->max);
}

int
attache__jpeg_tail_mcu_rows(const AttacheJpegTail *t)
{
	return t->mcu_rows;
}
