/*
 * inflate_floor: the zlib floor of a CloudTrail query.
 *
 * Inflates the listed .json.gz files (every gzip member of each) and discards the output: the
 * least work any engine must do to read those files.  File names come from the arguments, or one
 * per line on standard input.  With -j 2 the list is split between two threads (file i goes to
 * thread i % 2).  Prints one line of JSON:
 *   {"threads":1,"files":1920,"compressed_bytes":...,"inflated_bytes":...,"seconds":...,"zlib":"1.2.13"}
 *
 * With -l each file is read whole and inflated by libdeflate in one call (what cloudtrail_fdw does
 * for files up to 4 MB), instead of zlib's streaming inflate: "zlib" is then "libdeflate".
 *
 * Build: gcc -O2 -o inflate_floor inflate_floor.c -lz -ldeflate -lpthread
 * Usage: inflate_floor [-j N] [-l] [--version] [FILE...]
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
#include <libdeflate.h>
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

static int	use_libdeflate = 0;

/* The whole file at once with libdeflate, every member; out grows as needed. */
static int
inflate_file_whole(const char *path, unsigned char **in, size_t *incap,
				   unsigned char **out, size_t *outcap,
				   unsigned long long *in_bytes, unsigned long long *out_bytes)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	int			fd = open(path, O_RDONLY);
	size_t		len = 0;
	size_t		off = 0;
	int			rc = 0;

	if (fd < 0 || d == NULL)
	{
		fprintf(stderr, "inflate_floor: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (d)
			libdeflate_free_decompressor(d);
		return -1;
	}
	for (;;)
	{
		ssize_t		n;

		if (len == *incap)
		{
			*incap *= 2;
			*in = realloc(*in, *incap);
		}
		n = read(fd, *in + len, *incap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			rc = n < 0 ? -1 : 0;
			break;
		}
		len += (size_t) n;
	}
	close(fd);
	*in_bytes += len;
	while (rc == 0 && off < len)
	{
		size_t		used,
					got;
		enum libdeflate_result r = libdeflate_gzip_decompress_ex(d, *in + off, len - off, *out, *outcap,
																 &used, &got);

		if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
		{
			*outcap *= 2;
			*out = realloc(*out, *outcap);
			continue;
		}
		if (r != LIBDEFLATE_SUCCESS)
		{
			fprintf(stderr, "inflate_floor: %s: libdeflate error %d\n", path, (int) r);
			rc = -1;
			break;
		}
		off += used;
		*out_bytes += got;
	}
	libdeflate_free_decompressor(d);
	return rc;
}

static void *
worker(void *arg)
{
	Work	   *w = arg;
	unsigned char *in = malloc(IN_CHUNK);
	unsigned char *out = malloc(OUT_CHUNK);

	size_t		incap = IN_CHUNK,
				outcap = OUT_CHUNK;

	for (size_t i = w->first; i < w->nfiles; i += w->stride)
		if ((use_libdeflate ?
			 inflate_file_whole(w->files[i], &in, &incap, &out, &outcap, &w->in_bytes, &w->out_bytes) :
			 inflate_file(w->files[i], in, out, &w->in_bytes, &w->out_bytes)) != 0)
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
		else if (strcmp(argv[argi], "-l") == 0)
			use_libdeflate = 1;
		else if (strcmp(argv[argi], "--version") == 0)
		{
			printf("%s\n", use_libdeflate ? LIBDEFLATE_VERSION_STRING : zlibVersion());
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
		   (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, failed,
		   use_libdeflate ? "libdeflate " LIBDEFLATE_VERSION_STRING : zlibVersion());
	return failed ? 1 : 0;
}
