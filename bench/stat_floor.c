/*
 * stat_floor: how long stat() of every file of a list takes (the floor of a scan that checks
 * each file's identity before skipping it, as cloudtrail_fdw does with its index).
 *
 *     find /srv/ct-org/AWSLogs -name '*.json.gz' | stat_floor [ROUNDS]
 *
 * Reads absolute paths, one a line, then stat()s all of them ROUNDS times (default 5; the
 * first is a warm-up) and prints JSON: files, the median seconds of a round, microseconds a file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int
cmp(const void *a, const void *b)
{
	double		x = *(const double *) a, y = *(const double *) b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int			rounds = argc > 1 ? atoi(argv[1]) : 5;
	size_t		n = 0, cap = 1024;
	char	  **paths = malloc(cap * sizeof(char *));
	char		line[4096];
	double	   *t;
	long		missing = 0;

	if (rounds < 1)
		rounds = 1;
	while (fgets(line, sizeof(line), stdin))
	{
		size_t		len = strcspn(line, "\n");

		if (len == 0)
			continue;
		line[len] = '\0';
		if (n == cap)
			paths = realloc(paths, (cap *= 2) * sizeof(char *));
		paths[n++] = strdup(line);
	}
	t = calloc(rounds, sizeof(double));
	for (int r = 0; r <= rounds; r++)
	{
		struct timespec a, b;
		struct stat st;

		clock_gettime(CLOCK_MONOTONIC, &a);
		for (size_t i = 0; i < n; i++)
			if (stat(paths[i], &st) != 0 && r == 0)
				missing++;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (r > 0)				/* round 0: warm-up */
			t[r - 1] = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	}
	qsort(t, rounds, sizeof(double), cmp);
	{
		double		med = rounds % 2 ? t[rounds / 2] : (t[rounds / 2 - 1] + t[rounds / 2]) / 2;

		printf("{\"files\": %zu, \"missing\": %ld, \"rounds\": %d, \"seconds\": %.6f, \"us_per_file\": %.3f}\n",
			   n, missing, rounds, med, n ? med * 1e6 / n : 0.0);
	}
	return 0;
}
