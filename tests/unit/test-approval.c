/* SPDX-License-Identifier: MIT */
/* Unit tests for approval.c and manifest.c: every state of the gate from a
 * hand-written manifest and approvals.json, names compared as people, a
 * damaged file refused, approve() recording and refusing. */
#include "testutil.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
	char *dir;
	char *file;	 /* DIR/out.jpg */
	char *sha;	 /* of its bytes now */
	char *other; /* another SHA-256 */
} Fixture;

static void
put(const char *dir, const char *name, const char *text)
{
	g_autofree char *p = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(p, text, -1, NULL));
}

static char *
manifest_line(const char *file, const char *sha, const char *by)
{
	return g_strdup_printf("{\"input\":\"in/%s\",\"preset\":\"x-landscape\","
						   "\"output\":\"elsewhere/%s\",\"sha256\":\"%s\","
						   "\"prepared_by\":%s%s%s,\"error\":null}\n",
		file, file, sha, by ? "\"" : "", by ? by : "null", by ? "\"" : "");
}

static char *
approval(const char *file, const char *sha, const char *by)
{
	return g_strdup_printf("{\"file\":\"%s\",\"sha256\":\"%s\",\"by\":\"%s\","
						   "\"at\":\"2026-11-28T10:00:00Z\"}",
		file, sha, by);
}

static void
approvals(const char *dir, const char *a, const char *b)
{
	g_autofree char *text = g_strdup_printf("{\"attache_approvals\":1,"
											"\"approvals\":[%s%s%s]}",
		a ? a : "", a && b ? "," : "", b ? b : "");
	put(dir, "approvals.json", text);
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	f->dir = g_dir_make_tmp("attache-approval-XXXXXX", NULL);
	f->file = g_build_filename(f->dir, "out.jpg", NULL);
	/* a real, clean JPEG: approve audits what it approves */
	VipsImage *im = tu_ramp(16, 16);
	g_assert_cmpint(vips_jpegsave(im, f->file, "strip", TRUE, NULL), ==, 0);
	g_object_unref(im);
	f->sha = attache_file_sha256(f->file, NULL);
	f->other = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "other", -1);
	g_autofree char *line = manifest_line("out.jpg", f->sha, "Alice");
	put(f->dir, "attache-manifest.jsonl", line);
}

static void
rm_rf(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, n, NULL);
		g_unlink(p);
	}
	g_rmdir(dir);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	rm_rf(f->dir);
	g_free(f->dir);
	g_free(f->file);
	g_free(f->sha);
	g_free(f->other);
}

static AttacheApprovalState
state(Fixture *f, char **message)
{
	AttacheApprovalStatus *st = NULL;
	g_autoptr(GError) error = NULL;
	AttacheCode code = attache_approval_check(f->file, NULL, &st, &error);
	g_assert_nonnull(st);
	AttacheApprovalState s = st->state;
	if (s == ATTACHE_APPROVAL_APPROVED) {
		g_assert_cmpint(code, ==, ATTACHE_OK);
		g_assert_null(error);
		g_assert_null(st->message);
	}
	else {
		g_assert_cmpint(code, ==, ATTACHE_E_APPROVAL);
		g_assert_error(error, ATTACHE_ERROR, ATTACHE_E_APPROVAL);
		g_assert_cmpstr(error->message, ==, st->message);
		/* every refusal names the file */
		g_assert_true(g_str_has_prefix(st->message, f->file));
	}
	if (message)
		*message = g_strdup(st->message);
	attache_approval_status_free(st);
	return s;
}

static void
test_not_approved(Fixture *f, gconstpointer data)
{
	g_autofree char *msg = NULL;
	g_assert_cmpint(state(f, &msg), ==, ATTACHE_APPROVAL_NONE);
	g_assert_nonnull(strstr(msg, "nobody has approved it"));
	/* an empty list is the same */
	approvals(f->dir, NULL, NULL);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_NONE);
}

static void
test_approved(Fixture *f, gconstpointer data)
{
	g_autofree char *a = approval("out.jpg", f->sha, "bob");
	approvals(f->dir, a, NULL);
	AttacheApprovalStatus *st = NULL;
	g_assert_cmpint(attache_approval_check(f->file, NULL, &st, NULL), ==,
		ATTACHE_OK);
	g_assert_cmpint(st->state, ==, ATTACHE_APPROVAL_APPROVED);
	g_assert_cmpstr(st->approved_by, ==, "bob");
	g_assert_cmpstr(st->prepared_by, ==, "Alice");
	g_assert_cmpstr(st->approved_at, ==, "2026-11-28T10:00:00Z");
	attache_approval_status_free(st);
	/* the SHA-256 given is what counts, not the file's: other bytes about
	 * to be sent are not approved */
	g_assert_cmpint(attache_approval_check(f->file, f->other, NULL, NULL), ==,
		ATTACHE_E_APPROVAL);
	/* upper-case hex is the same digest */
	g_autofree char *up = g_ascii_strup(f->sha, -1);
	g_assert_cmpint(attache_approval_check(f->file, up, NULL, NULL), ==,
		ATTACHE_OK);
}

static void
test_self_only(Fixture *f, gconstpointer data)
{
	/* the same person, however the name is typed */
	g_autofree char *a = approval("out.jpg", f->sha, " ALICE ");
	g_autofree char *b = approval("out.jpg", f->sha, "\xef\xbc\xa1lice");
	approvals(f->dir, a, b);
	g_autofree char *msg = NULL;
	g_assert_cmpint(state(f, &msg), ==, ATTACHE_APPROVAL_SELF_ONLY);
	g_assert_nonnull(strstr(msg, "who prepared it"));
}

static void
test_changed(Fixture *f, gconstpointer data)
{
	g_autofree char *a = approval("out.jpg", f->other, "bob");
	approvals(f->dir, a, NULL);
	g_autofree char *msg = NULL;
	g_assert_cmpint(state(f, &msg), ==, ATTACHE_APPROVAL_CHANGED);
	g_assert_nonnull(strstr(msg, "changed after approval"));
	/* the approved bytes are named, shortened */
	g_autofree char *was = g_strndup(f->other, 12);
	g_assert_nonnull(strstr(msg, was));
}

static void
test_no_preparer(Fixture *f, gconstpointer data)
{
	g_autofree char *a = approval("out.jpg", f->sha, "bob");
	approvals(f->dir, a, NULL);
	/* the line names nobody */
	g_autofree char *line = manifest_line("out.jpg", f->sha, NULL);
	put(f->dir, "attache-manifest.jsonl", line);
	g_autofree char *msg = NULL;
	g_assert_cmpint(state(f, &msg), ==, ATTACHE_APPROVAL_NO_PREPARER);
	g_assert_nonnull(strstr(msg, "no record of who prepared it"));
	/* no line with these bytes */
	g_autofree char *l2 = manifest_line("out.jpg", f->other, "Alice");
	put(f->dir, "attache-manifest.jsonl", l2);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_NO_PREPARER);
	/* no manifest */
	g_autofree char *mp = g_build_filename(f->dir, "attache-manifest.jsonl",
		NULL);
	g_unlink(mp);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_NO_PREPARER);
}

static void
test_two_preparers(Fixture *f, gconstpointer data)
{
	/* the same bytes prepared by Alice, then by Bob: Bob's approval is a
	 * preparer's too */
	g_autofree char *l1 = manifest_line("out.jpg", f->sha, "Alice");
	g_autofree char *l2 = manifest_line("out.jpg", f->sha, "Bob");
	g_autofree char *both = g_strconcat(l1, "\n", l2, NULL);
	put(f->dir, "attache-manifest.jsonl", both);
	g_autofree char *a = approval("out.jpg", f->sha, "bob");
	approvals(f->dir, a, NULL);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_SELF_ONLY);
	g_autofree char *c = approval("out.jpg", f->sha, "Carol");
	approvals(f->dir, a, c);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_APPROVED);
}

static void
test_damaged(Fixture *f, gconstpointer data)
{
	g_autofree char *a = approval("out.jpg", f->sha, "bob");
	g_autofree char *good = g_strdup_printf("{\"attache_approvals\":1,"
											"\"approvals\":[%s]}",
		a);
	const char *bad[] = {
		"",
		"{",
		"null",
		"{\"approvals\":[]}",
		"{\"attache_approvals\":2,\"approvals\":[]}",
		"{\"attache_approvals\":1}",
		"{\"attache_approvals\":1,\"approvals\":[1]}",
		"{\"attache_approvals\":1,\"approvals\":[{\"file\":\"out.jpg\"}]}",
	};
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		put(f->dir, "approvals.json", bad[i]);
		g_autofree char *msg = NULL;
		g_assert_cmpint(state(f, &msg), ==, ATTACHE_APPROVAL_DAMAGED);
		g_assert_nonnull(strstr(msg, "approvals.json is damaged"));
		GPtrArray *list = NULL;
		g_autoptr(GError) error = NULL;
		g_assert_cmpint(attache_approvals_load(f->dir, &list, &error), ==,
			ATTACHE_E_APPROVAL);
		g_assert_null(list);
		g_assert_error(error, ATTACHE_ERROR, ATTACHE_E_APPROVAL);
	}
	/* a record whose file name climbs out of the folder */
	g_autofree char *climb = approval("../out.jpg", f->sha, "bob");
	approvals(f->dir, climb, NULL);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_DAMAGED);

	put(f->dir, "approvals.json", good);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_APPROVED);
	/* someone else's damaged line does not touch an approved output whose
	 * own line is intact (issue 11 point 7) */
	g_autofree char *line = manifest_line("out.jpg", f->sha, "Alice");
	g_autofree char *torn = g_strconcat(line, "{\"output\":\"x.jpg\",\"sha",
		NULL);
	put(f->dir, "attache-manifest.jsonl", torn);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_APPROVED);
	/* a damaged line that may be its own (its name, or its hash cut
	 * short) refuses it */
	g_autofree char *own = g_strconcat(line,
		"{\"output\":\"elsewhere/out.jpg\",\"prepared_by\":\"Ev", NULL);
	put(f->dir, "attache-manifest.jsonl", own);
	g_autofree char *msg = NULL;
	g_assert_cmpint(state(f, &msg), ==, ATTACHE_APPROVAL_DAMAGED);
	g_assert_nonnull(strstr(msg, "line 2 is damaged"));
	g_autofree char *sha_cut = g_strndup(f->sha, 20);
	g_autofree char *own2 = g_strconcat(line, "{\"sha256\":\"", sha_cut,
		NULL);
	put(f->dir, "attache-manifest.jsonl", own2);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_DAMAGED);
	/* blank lines are not damage */
	g_autofree char *blank = g_strconcat("\n", line, "\n  \n", NULL);
	put(f->dir, "attache-manifest.jsonl", blank);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_APPROVED);
}

static void
test_approve(Fixture *f, gconstpointer data)
{
	GPtrArray *res = NULL;
	g_autoptr(GError) error = NULL;

	/* every output when no file is named, but the fixture's line has no
	 * alt text: it needs a deliberate yes, and is left (no error) */
	g_assert_cmpint(attache_approve(f->dir, "bob", NULL, &res, &error), ==,
		ATTACHE_OK);
	g_assert_cmpuint(res->len, ==, 1);
	AttacheApproveResult *r = res->pdata[0];
	g_assert_true(r->left);
	g_assert_cmpint(r->code, ==, ATTACHE_E_APPROVAL);
	g_assert_cmpint(r->severity, ==, ATTACHE_SEVERITY_NEEDS_YES);
	g_assert_cmpstr(r->reasons[0], ==, "alt-missing");
	g_assert_cmpint(attache_flag_severity(r->reasons[0]), ==, ATTACHE_SEVERITY_NEEDS_YES);
	g_ptr_array_unref(res);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_NONE);
	/* named one by one, it is approved */
	const char *named[] = { "out.jpg", NULL };
	AttacheApproveOptions by_name = { .named = named };
	g_assert_cmpint(attache_approve_with(f->dir, "bob", &by_name, &res, &error), ==,
		ATTACHE_OK);
	g_assert_cmpuint(res->len, ==, 1);
	r = res->pdata[0];
	g_assert_false(r->left);
	g_assert_cmpstr(r->sha256, ==, f->sha);
	g_assert_cmpstr(r->prepared_by, ==, "Alice");
	g_assert_false(r->again);
	g_assert_false(r->self);
	g_ptr_array_unref(res);
	g_assert_cmpint(state(f, NULL), ==, ATTACHE_APPROVAL_APPROVED);

	/* again, in a list: said yes before, so not left; nothing added */
	const char *files[] = { "out.jpg", NULL };
	g_assert_cmpint(attache_approve(f->dir, "Bob", files, &res, NULL), ==,
		ATTACHE_OK);
	g_assert_true(((AttacheApproveResult *)res->pdata[0])->again);
	g_ptr_array_unref(res);
	GPtrArray *list = NULL;
	g_assert_cmpint(attache_approvals_load(f->dir, &list, NULL), ==,
		ATTACHE_OK);
	g_assert_cmpuint(list->len, ==, 1);
	g_ptr_array_unref(list);

	/* the preparer (naming it, as it needs a deliberate yes): recorded,
	 * marked */
	g_assert_cmpint(attache_approve_with(f->dir, "alice", &by_name, &res, NULL), ==,
		ATTACHE_OK);
	g_assert_true(((AttacheApproveResult *)res->pdata[0])->self);
	g_ptr_array_unref(res);

	/* changed since prep: refused, nothing recorded */
	g_assert_true(g_file_set_contents(f->file, "edited", -1, NULL));
	g_clear_error(&error);
	g_assert_cmpint(attache_approve(f->dir, "carol", files, &res, &error), ==,
		ATTACHE_E_APPROVAL);
	g_assert_nonnull(strstr(error->message, "changed since attache prep"));
	g_ptr_array_unref(res);
	g_assert_cmpint(attache_approvals_load(f->dir, &list, NULL), ==,
		ATTACHE_OK);
	g_assert_cmpuint(list->len, ==, 2);
	g_ptr_array_unref(list);

	/* blank names are usage errors */
	g_clear_error(&error);
	g_assert_cmpint(attache_approve(f->dir, "  ", files, &res, &error), ==,
		ATTACHE_E_USAGE);
	g_ptr_array_unref(res);
}

/* Lookalike names are one person (issue 11 point 6): NFKC, ignorables
 * removed, trimmed, casefolded, then the UTS #39 skeleton. */
static void
test_person_key(void)
{
	g_autofree char *alice = attache__person_key("alice");
	const char *same[] = {
		"Alice",
		" ALICE ",
		"alice\u00a0" /* no-break space */,
		"alice\u200b" /* zero-width space */,
		"\u200balice",
		"alice\u00ad" /* soft hyphen */,
		"\u0430lice" /* Cyrillic a */,
		"\uff41\uff4c\uff49\uff43\uff45" /* fullwidth */,
		"al\u200dice",
		"\u202ealice" /* bidi override */,
	};
	g_assert_nonnull(alice);
	for (guint i = 0; i < G_N_ELEMENTS(same); i++) {
		g_autofree char *k = attache__person_key(same[i]);
		g_assert_cmpstr(k, ==, alice);
	}
	const char *other[] = { "bob", "alicia", "al ice", "alice2" };
	for (guint i = 0; i < G_N_ELEMENTS(other); i++) {
		g_autofree char *k = attache__person_key(other[i]);
		g_assert_nonnull(k);
		g_assert_cmpstr(k, !=, alice);
	}
	/* nothing left once cleaned: no name */
	g_assert_null(attache__person_key(" \u200b\u00ad\u00a0"));
	g_assert_null(attache__person_key("a\xff"
									  "b"));
	/* the recorded name keeps its case and script, without the padding */
	g_autofree char *n = attache__person_name("\u200bAlice\u00a0");
	g_assert_cmpstr(n, ==, "Alice");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_assert_cmpint(attache_init(argv[0], NULL), ==, ATTACHE_OK);
#define ADD(name, fn)                                                \
	g_test_add("/approval/" name, Fixture, NULL, fixture_set_up, fn, \
		fixture_tear_down)
	ADD("not-approved", test_not_approved);
	ADD("approved", test_approved);
	ADD("self-only", test_self_only);
	ADD("changed", test_changed);
	ADD("no-preparer", test_no_preparer);
	ADD("two-preparers", test_two_preparers);
	ADD("damaged", test_damaged);
	ADD("approve", test_approve);
	g_test_add_func("/approval/person-key", test_person_key);
	int rc = g_test_run();
	attache_shutdown();
	return rc;
}
