/*
 * hash_floor: the floor of validating CloudTrail log files.
 *
 * For each listed .json.gz file: read it, inflate its first gzip member and SHA-256 the inflated
 * bytes (OpenSSL's libcrypto, as the extension), and discard them: the least work any validator
 * must do, the hashValue of a digest being defined over exactly those bytes.  Each file is read
 * whole and inflated by libdeflate in one call (what cloudtrail_fdw does for files up to 4 MB);
 * with -z by zlib's streaming inflate instead.  With -j N the files are split between N threads
 * (file i to thread i % N).  File names come from the arguments, or one per line on standard
 * input.  Prints one line of JSON:
 *   {"threads":1,"files":1920,"compressed_bytes":...,"inflated_bytes":...,"seconds":...,"inflate":"libdeflate"}
 *
 * Build: gcc -O2 -o hash_floor hash_floor.c -lz -ldeflate -lcrypto -lpthread
 * Usage: hash_floor [-j N] [-z] [FILE...]
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
#include <openssl/evp.h>
#include <zlib.h>

#define CHUNK (256 * 1024)

typedef struct
{
	char	  **files;
	size_t		nfiles;
	int			stride;
	int			first;
	unsigned long long in_bytes;
	unsigned long long out_bytes;
	int			failed;
	unsigned char xor[32];		/* of every hash: the work cannot be optimised away */
} Work;

static int	use_zlib = 0;

static int
read_whole(const char *path, unsigned char **in, size_t *incap, size_t *len)
{
	int			fd = open(path, O_RDONLY);

	*len = 0;
	if (fd < 0)
		return -1;
	for (;;)
	{
		ssize_t		n;

		if (*len == *incap)
		{
			*incap *= 2;
			*in = realloc(*in, *incap);
		}
		n = read(fd, *in + *len, *incap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
		{
			close(fd);
			return n < 0 ? -1 : 0;
		}
		*len += (size_t) n;
	}
}

static int
hash_libdeflate(Work *w, EVP_MD_CTX *md, struct libdeflate_decompressor *d, const char *path,
				unsigned char **in, size_t *incap, unsigned char **out, size_t *outcap,
				unsigned char *sha)
{
	size_t		len,
				used,
				got;
	enum libdeflate_result r;

	if (read_whole(path, in, incap, &len) != 0)
		return -1;
	w->in_bytes += len;
	while ((r = libdeflate_gzip_decompress_ex(d, *in, len, *out, *outcap, &used, &got)) ==
		   LIBDEFLATE_INSUFFICIENT_SPACE)
	{
		*outcap *= 2;
		*out = realloc(*out, *outcap);
	}
	if (r != LIBDEFLATE_SUCCESS || used != len)
		return -1;
	w->out_bytes += got;
	return EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		EVP_DigestUpdate(md, *out, got) == 1 && EVP_DigestFinal_ex(md, sha, NULL) == 1 ? 0 : -1;
}

static int
hash_zlib(Work *w, EVP_MD_CTX *md, const char *path, unsigned char *in, unsigned char *out,
		  unsigned char *sha)
{
	z_stream	zs;
	int			fd = open(path, O_RDONLY);
	int			ret = Z_OK;

	if (fd < 0)
		return -1;
	memset(&zs, 0, sizeof(zs));
	inflateInit2(&zs, 15 + 16);
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while (ret != Z_STREAM_END)
	{
		ssize_t		n = read(fd, in, CHUNK);

		if (n <= 0)
			break;
		w->in_bytes += n;
		zs.next_in = in;
		zs.avail_in = n;
		while (zs.avail_in > 0 && ret != Z_STREAM_END)
		{
			zs.next_out = out;
			zs.avail_out = CHUNK;
			ret = inflate(&zs, Z_NO_FLUSH);
			if (ret != Z_OK && ret != Z_STREAM_END)
				break;
			EVP_DigestUpdate(md, out, CHUNK - zs.avail_out);
			w->out_bytes += CHUNK - zs.avail_out;
		}
		if (ret != Z_OK && ret != Z_STREAM_END)
			break;
	}
	inflateEnd(&zs);
	close(fd);
	EVP_DigestFinal_ex(md, sha, NULL);
	return ret == Z_STREAM_END ? 0 : -1;
}

static void *
worker(void *arg)
{
	Work	   *w = arg;
	size_t		incap = CHUNK,
				outcap = 4 * CHUNK;
	unsigned char *in = malloc(incap);
	unsigned char *out = malloc(outcap);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	unsigned char sha[32];

	for (size_t i = w->first; i < w->nfiles; i += w->stride)
	{
		if ((use_zlib ? hash_zlib(w, md, w->files[i], in, out, sha) :
			 hash_libdeflate(w, md, d, w->files[i], &in, &incap, &out, &outcap, sha)) != 0)
		{
			fprintf(stderr, "hash_floor: %s: cannot read or inflate\n", w->files[i]);
			w->failed++;
			continue;
		}
		for (int k = 0; k < 32; k++)
			w->xor[k] ^= sha[k];
	}
	libdeflate_free_decompressor(d);
	EVP_MD_CTX_free(md);
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
	struct timespec t0,
				t1;
	Work	   *w;
	pthread_t  *tid;
	unsigned long long in_bytes = 0,
				out_bytes = 0;
	int			failed = 0;
	unsigned char xor[32] = {0};

	for (; argi < argc; argi++)
	{
		if (strcmp(argv[argi], "-j") == 0 && argi + 1 < argc)
			threads = atoi(argv[++argi]);
		else if (strcmp(argv[argi], "-z") == 0)
			use_zlib = 1;
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
	w = calloc(threads, sizeof(Work));
	tid = calloc(threads, sizeof(pthread_t));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int t = 0; t < threads; t++)
	{
		w[t].files = files;
		w[t].nfiles = nfiles;
		w[t].stride = threads;
		w[t].first = t;
		pthread_create(&tid[t], NULL, worker, &w[t]);
	}
	for (int t = 0; t < threads; t++)
	{
		pthread_join(tid[t], NULL);
		in_bytes += w[t].in_bytes;
		out_bytes += w[t].out_bytes;
		failed += w[t].failed;
		for (int k = 0; k < 32; k++)
			xor[k] ^= w[t].xor[k];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("{\"threads\":%d,\"files\":%zu,\"compressed_bytes\":%llu,\"inflated_bytes\":%llu,"
		   "\"seconds\":%.4f,\"inflate\":\"%s\",\"failed\":%d,\"xor\":\"%02x%02x%02x%02x\"}\n",
		   threads, nfiles, in_bytes, out_bytes,
		   (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		   use_zlib ? "zlib" : "libdeflate", failed, xor[0], xor[1], xor[2], xor[3]);
	return failed ? 1 : 0;
}
