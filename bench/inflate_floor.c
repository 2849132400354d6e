/*
 * inflate_floor: the zlib floor of a CloudTrail query.
 *
 * Inflates the listed .json.gz files (every gzip member of each) and discards the output: the
 * least work any engine must do to read those files.  File names come from the arguments, or one
 * per line on standard input.  With -j 2 the list is split between two threads (file i goes to
 * thread i % 2).  Prints one line of JSON:
 *   {"threads":1,"files":1920,"compressed_bytes":...,"inflated_bytes":...,"seconds":...,"zlib":"1.2.13"}
 *
 * Build: gcc -O2 -o inflate_floor inflate_floor.c -lz -lpthread
 * Usage: inflate_floor [-j N] [--version] [FILE...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define IN_CHUNK (256 * 1024)
#define OUT_CHUNK (1024 * 1024)

typedef struct
{
	char	  **files;
	size_t		nfiles;
	int			stride;
	int			first;
	unsigned long long in_bytes;
	unsigned long long out_bytes;
	int			failed;
} Work;

static int
inflate_file(const char *path, unsigned char *in, unsigned char *out,
			 unsigned long long *in_bytes, unsigned long long *out_bytes)
{
	z_stream	zs;
	int			fd = open(path, O_RDONLY);
	int			ret = Z_OK;
	int			rc = 0;

	if (fd < 0)
	{
		fprintf(stderr, "inflate_floor: %s: %s\n", path, strerror(errno));
		return -1;
	}
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 32) != Z_OK)	/* gzip or zlib header */
	{
		close(fd);
		return -1;
	}
	for (;;)
	{
		ssize_t		n = read(fd, in, IN_CHUNK);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		*in_bytes += (unsigned long long) n;
		zs.next_in = in;
		zs.avail_in = (uInt) n;
		while (zs.avail_in > 0)
		{
			zs.next_out = out;
			zs.avail_out = OUT_CHUNK;
			ret = inflate(&zs, Z_NO_FLUSH);
			if (ret != Z_OK && ret != Z_STREAM_END)
			{
				fprintf(stderr, "inflate_floor: %s: zlib error %d\n", path, ret);
				rc = -1;
				goto done;
			}
			*out_bytes += OUT_CHUNK - zs.avail_out;
			if (ret == Z_STREAM_END)
			{
				/* another gzip member may follow */
				if (zs.avail_in == 0)
					break;
				inflateReset(&zs);
			}
		}
	}
	if (ret != Z_STREAM_END && rc == 0)
	{
		fprintf(stderr, "inflate_floor: %s: truncated\n", path);
		rc = -1;
	}
done:
	inflateEnd(&zs);
	close(fd);
	return rc;
}

static void *
worker(void *arg)
{
	Work	   *w = arg;
	unsigned char *in = malloc(IN_CHUNK);
	unsigned char *out = malloc(OUT_CHUNK);

	for (size_t i = w->first; i < w->nfiles; i += w->stride)
		if (inflate_file(w->files[i], in, out, &w->in_bytes, &w->out_bytes) != 0)
			w->failed++;
	free(in);
	free(out);
	return NULL;
}

int
main(int argc, char **argv)
{
	int			threads = 1;
	char	  **files = NULL;
	size_t		nfiles = 0,
				cap = 0;
	int			argi = 1;

	for (; argi < argc; argi++)
	{
		if (strcmp(argv[argi], "-j") == 0 && argi + 1 < argc)
			threads = atoi(argv[++argi]);
		else if (strcmp(argv[argi], "--version") == 0)
		{
			printf("%s\n", zlibVersion());
			return 0;
		}
		else
			break;
	}
	if (threads < 1 || threads > 64)
		threads = 1;
	if (argi < argc)
	{
		files = argv + argi;
		nfiles = (size_t) (argc - argi);
	}
	else
	{
		char	   *line = NULL;
		size_t		len = 0;
		ssize_t		n;

		while ((n = getline(&line, &len, stdin)) > 0)
		{
			if (line[n - 1] == '\n')
				line[--n] = '\0';
			if (n == 0)
				continue;
			if (nfiles == cap)
			{
				cap = cap ? cap * 2 : 1024;
				files = realloc(files, cap * sizeof(char *));
			}
			files[nfiles++] = strdup(line);
		}
		free(line);
	}

	struct timespec t0, t1;
	Work	   *w = calloc(threads, sizeof(Work));
	pthread_t  *tid = calloc(threads, sizeof(pthread_t));
	unsigned long long in_bytes = 0, out_bytes = 0;
	int			failed = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int t = 0; t < threads; t++)
	{
		w[t].files = files;
		w[t].nfiles = nfiles;
		w[t].stride = threads;
		w[t].first = t;
		if (threads == 1)
			worker(&w[t]);
		else
			pthread_create(&tid[t], NULL, worker, &w[t]);
	}
	for (int t = 0; t < threads; t++)
	{
		if (threads > 1)
			pthread_join(tid[t], NULL);
		in_bytes += w[t].in_bytes;
		out_bytes += w[t].out_bytes;
		failed += w[t].failed;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("{\"threads\":%d,\"files\":%zu,\"compressed_bytes\":%llu,\"inflated_bytes\":%llu,"
		   "\"seconds\":%.6f,\"failed\":%d,\"zlib\":\"%s\"}\n",
		   threads, nfiles, in_bytes, out_bytes,
		   (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, failed, zlibVersion());
	return failed ? 1 : 0;
}
