/* Prepare one photo for two presets with libattache and print the JSON
 * line of each output: what a scheduler written in C does instead of
 * running `attache prep --json`.
 *
 *   cc prep-one.c $(pkg-config --cflags --libs attache) -o prep-one
 *   ./prep-one PHOTO OUTDIR
 */
#include <attache.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	GError *error = NULL;
	AttachePresetSet *presets = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PHOTO OUTDIR\n", argv[0]);
		return 2;
	}
	if (attache_init(argv[0], &error) || attache_preset_set_load(NULL, NULL, &presets, &error)) {
		fprintf(stderr, "%s\n", error->message);
		return 2;
	}

	AttachePrepOptions *opts = attache_prep_options_new();
	g_free(opts->out_dir);
	opts->out_dir = g_strdup(argv[2]);
	opts->alt_text = g_strdup("Volunteers unload sacks of rice from a truck");
	const char *names[] = { "x-landscape", "bluesky" };
	for (int i = 0; i < 2; i++) {
		const AttachePreset *p = attache_preset_set_lookup(presets, names[i],
			&error);
		if (!p) {
			fprintf(stderr, "%s\n", error->message);
			return 2;
		}
		attache_prep_options_add_preset(opts, p); /* copies it */
	}

	GPtrArray *outputs = NULL; /* AttacheOutput*, ours to free */
	AttacheCode code = attache_prep_photo(opts, argv[1], &outputs, &error);
	for (guint i = 0; i < outputs->len; i++) {
		char *line = attache_output_to_json(outputs->pdata[i]);
		printf("%s\n", line);
		g_free(line);
	}
	if (code)
		fprintf(stderr, "%s\n", error->message);

	g_clear_error(&error);
	g_ptr_array_unref(outputs);
	attache_prep_options_free(opts);
	attache_preset_set_free(presets);
	attache_shutdown();
	return attache_code_exit_status(code);
}
