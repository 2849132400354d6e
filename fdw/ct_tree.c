/*-------------------------------------------------------------------------
 *
 * ct_tree.c
 *		Find the event files of a CloudTrail mirror:
 *		[prefix/]AWSLogs/[o-ORG/]ACCOUNT/TYPE/REGION/YYYY/MM/DD/file
 *
 * The walk is split in two so that pruning can work at both levels without
 * listing what it prunes: ct_tree_partitions() lists the skeleton down to the
 * day folders (one "partition" per account x region x day) without opening
 * them, and ct_tree_files() lists the event files of one partition.
 *
 * Nothing outside the root is ever read: the root and location are resolved
 * with realpath(), and a symbolic link met during the walk is followed only
 * when its target is inside the root.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "ct_digest.h"
#include "ct_index.h"
#include "ct_options.h"
#include "ct_prune.h"
#include "ct_tree.h"

/* Prefix folders above AWSLogs are searched this deep at most. */
#define CT_MAX_PREFIX_DEPTH		8

/* At most this many skipped files are named in a WARNING each. */
#define CT_MAX_SKIP_WARNINGS	10

typedef enum EntryKind
{
	ENTRY_OTHER,
	ENTRY_DIR,
	ENTRY_FILE
} EntryKind;

typedef struct DirEntry
{
	char	   *name;
	unsigned char d_type;
	EntryKind	kind;
	int64		size;
	struct timespec mtime;
	CtSpan		span;			/* an event file's, see keep_file() */
} DirEntry;

static bool
all_digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int
num(const char *s, int n)
{
	int			v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static bool
is_account(const char *name)
{
	return strlen(name) == 12 && all_digits(name, 12);
}

/* o- followed by 10 to 32 lower-case letters or digits */
static bool
is_org(const char *name)
{
	size_t		len = strlen(name);

	if (len < 12 || len > 34 || name[0] != 'o' || name[1] != '-')
		return false;
	for (size_t i = 2; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

/* Region codes are not listed anywhere: accept any lower-case code. */
static bool
is_region(const char *name, size_t len)
{
	if (len == 0 || len > 64 || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
			  name[i] == '-'))
			return false;
	return true;
}

static bool
valid_date(int y, int m, int d)
{
	return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 &&
		d >= 1 && d <= day_tab[isleap(y)][m - 1];
}

/*
 * Parses an event file name:
 * ACCOUNT_TYPE_REGION_YYYYMMDDTHHmmZ_UNIQUE.json[.gz], TYPE being CloudTrail
 * or one of its event siblings (never the digest).  Partial downloads
 * (NAME.json.gz.XXXXXXXX) and anything else do not match.
 */
static bool
parse_file_name(const char *name, CtFile *file)
{
	const char *p = name;
	const char *us;
	size_t		len;
	int			y,
				m,
				d,
				hh,
				mi;

	file->times_exact = false;
	if (!all_digits(p, 12) || p[12] != '_')
		return false;
	p += 13;
	us = strchr(p, '_');
	if (us == NULL || strncmp(p, "CloudTrail", 10) != 0 ||
		(us - p == 17 && strncmp(p, "CloudTrail-Digest", 17) == 0))
		return false;
	p = us + 1;
	us = strchr(p, '_');
	if (us == NULL || !is_region(p, us - p))
		return false;
	p = us + 1;
	/* YYYYMMDDTHHmmZ_ */
	if (!all_digits(p, 8) || p[8] != 'T' || !all_digits(p + 9, 4) ||
		p[13] != 'Z' || p[14] != '_')
		return false;
	y = num(p, 4);
	m = num(p + 4, 2);
	d = num(p + 6, 2);
	hh = num(p + 9, 2);
	mi = num(p + 11, 2);
	if (!valid_date(y, m, d) || hh > 23 || mi > 59)
		return false;
	p += 15;
	len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
	if (len == 0)
		return false;
	p += len;
	if (strcmp(p, ".json.gz") == 0)
		file->gzip = true;
	else if (strcmp(p, ".json") == 0)
		file->gzip = false;
	else
		return false;
	file->delivery = (TimestampTz) (date2j(y, m, d) - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY +
		(TimestampTz) hh * USECS_PER_HOUR + (TimestampTz) mi * USECS_PER_MINUTE;
	return true;
}

/*
 * A bad file or folder: an ERROR, or under on_error 'skip_file' a WARNING
 * (the first few) and a count.  what says what is wrong with the object at
 * path (relative to the root), reason gives the particulars; hint, if not
 * NULL, replaces the hint that names on_error.
 */
void
ct_report_bad(CtOnError *onerr, const char *path, int sqlerrcode,
			  const char *what, const char *reason, const char *detail,
			  const char *hint)
{
	if (!onerr->skip)
		ereport(ERROR,
				(errcode(sqlerrcode),
				 errmsg("%s \"%s\": %s", what, path, reason),
				 detail ? errdetail_internal("%s", detail) : 0,
				 errhint("%s", hint ? hint :
						 "Set the foreign table option on_error to 'skip_file' to skip bad files.")));
	onerr->nskipped++;
	if (!onerr->quiet && onerr->nskipped <= CT_MAX_SKIP_WARNINGS)
		ereport(WARNING,
				(errcode(sqlerrcode),
				 errmsg("skipping \"%s\": %s: %s", path, what, reason),
				 detail ? errdetail_internal("%s", detail) : 0));
}

static char *
abs_path(CtTree *tree, const char *rel)
{
	if (rel[0] == '\0')
		return pstrdup(tree->root);
	return psprintf("%s/%s", tree->root, rel);
}

static char *
join_rel(const char *dir, const char *name)
{
	if (dir[0] == '\0')
		return pstrdup(name);
	return psprintf("%s/%s", dir, name);
}

/* Is the real path p the root or inside it? */
bool
ct_tree_inside_root(const CtTree *tree, const char *p)
{
	size_t		rlen = strlen(tree->root);

	if (strcmp(tree->root, "/") == 0)
		return true;
	return strncmp(p, tree->root, rlen) == 0 && (p[rlen] == '\0' || p[rlen] == '/');
}

/*
 * What a directory entry is, following a symbolic link only into the root.
 * A link out of the root is a bad entry when it stands where the layout
 * expects a folder or an event file.
 */
static EntryKind
entry_kind(CtTree *tree, int dfd, const char *dirrel, const char *name,
		   unsigned char d_type, bool follow_links, bool want_size, int64 *size,
		   struct timespec *mtime)
{
	struct stat st;
	bool		is_link = false;

	*size = -1;
	mtime->tv_sec = 0;
	mtime->tv_nsec = 0;
	if (d_type == DT_DIR)
		return ENTRY_DIR;
	if (d_type == DT_REG && !want_size)
		return ENTRY_FILE;
	if (d_type == DT_LNK || d_type == DT_UNKNOWN)
	{
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return ENTRY_OTHER;
		is_link = S_ISLNK(st.st_mode);
	}
	if (is_link && !follow_links)
		return ENTRY_OTHER;
	if (is_link)
	{
		char	   *rel = join_rel(dirrel, name);
		char	   *abs = abs_path(tree, rel);
		char	   *real = realpath(abs, NULL);

		if (real == NULL)
		{
			ct_report_bad(tree->onerr, rel, ERRCODE_UNDEFINED_FILE,
						  "could not follow symbolic link",
						  errno == ELOOP ? "it is part of a loop" : "it points to nothing",
						  NULL, NULL);
			return ENTRY_OTHER;
		}
		if (!ct_tree_inside_root(tree, real))
		{
			free(real);
			ct_report_bad(tree->onerr, rel, ERRCODE_INSUFFICIENT_PRIVILEGE,
						  "not following symbolic link",
						  "it points outside the root folder",
						  "Links are followed only to targets inside the server's root.", NULL);
			return ENTRY_OTHER;
		}
		free(real);
	}
	if (fstatat(dfd, name, &st, 0) != 0)
		return ENTRY_OTHER;
	if (S_ISDIR(st.st_mode))
		return ENTRY_DIR;
	if (S_ISREG(st.st_mode))
	{
		*size = st.st_size;
		*mtime = st.st_mtim;
		return ENTRY_FILE;
	}
	return ENTRY_OTHER;
}

/* Does name fit the level below a folder of this level? */
static bool
name_fits(CtTree *tree, CtLevel level, const char *name)
{
	switch (level)
	{
		case CT_LEVEL_PREFIX:
			return name[0] != '.';
		case CT_LEVEL_AWSLOGS:
			return is_account(name) || is_org(name);
		case CT_LEVEL_ORG:
			return is_account(name);
		case CT_LEVEL_ACCOUNT:
			return strcmp(name, tree->log_type) == 0;
		case CT_LEVEL_TYPE:
			return is_region(name, strlen(name));
		case CT_LEVEL_REGION:
			return strlen(name) == 4 && all_digits(name, 4);
		case CT_LEVEL_YEAR:
		case CT_LEVEL_MONTH:
			return strlen(name) == 2 && all_digits(name, 2);
		default:
			return false;
	}
}

/*
 * May the event file name in folder rel hold matching rows?  First by its
 * delivery time; then, for a file delivered after the upper bound on
 * eventtime, by the times its digest gives (kept in *span, for the scan to
 * check them against the records it reads).
 */
static bool
keep_file(CtTree *tree, const char *rel, const char *name, TimestampTz delivery,
		  CtSpan *span)
{
	span->known = false;
	if (!ct_keep_file(tree->prune, delivery))
		return false;
	if (tree->use_digests && ct_prune_wants_digest(tree->prune, delivery) &&
		ct_digest_times(tree, rel, name, delivery, &span->oldest, &span->newest))
	{
		if (!ct_keep_file_times(tree->prune, span->oldest, span->newest))
		{
			tree->files_digest_pruned++;
			return false;
		}
		span->known = true;
	}
	return true;
}

/*
 * The order of a sorted scan's files (serial or parallel): newest delivery
 * first; then by folder and name, to be deterministic.
 */
int
ct_file_cmp_newest_first(TimestampTz da, const char *dira, const char *namea,
						 TimestampTz db, const char *dirb, const char *nameb)
{
	int			c;

	if (da != db)
		return da > db ? -1 : 1;
	c = strcmp(dira, dirb);
	return c != 0 ? c : strcmp(namea, nameb);
}

/*
 * A sorted scan's order of a List of partitions (list_sort): newest
 * delivery date first, then by folder.
 */
int
ct_partition_cmp_newest_first(const ListCell *a, const ListCell *b)
{
	const CtPartition *pa = lfirst(a);
	const CtPartition *pb = lfirst(b);

	if (pa->date != pb->date)
		return pa->date > pb->date ? -1 : 1;
	return strcmp(pa->dir, pb->dir);
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const DirEntry *) a)->name, ((const DirEntry *) b)->name);
}

/*
 * Lists the entries of a folder that fit the layout, sorted by name.
 * Returns NULL (after reporting) when the folder cannot be read.
 */
static DirEntry *
list_dir(CtTree *tree, const char *rel, CtLevel level, bool files,
		 bool want_size, int *n)
{
	char	   *abs = abs_path(tree, rel);
	DIR		   *dir;
	struct dirent *de;
	DirEntry   *entries;
	int			cap = 16;

	*n = 0;
	dir = AllocateDir(abs);
	if (dir == NULL)
	{
		int			save = errno;

		ct_report_bad(tree->onerr, rel[0] ? rel : ".",
					  save == EACCES ? ERRCODE_INSUFFICIENT_PRIVILEGE : ERRCODE_UNDEFINED_FILE,
					  "could not open folder", strerror(save), NULL, NULL);
		return NULL;
	}
	/*
	 * First the names that fit, sorted; then what each one is.  Links are
	 * resolved (and bad ones reported) in name order, the same on every
	 * file system.
	 */
	entries = palloc(cap * sizeof(DirEntry));
	for (;;)
	{
		CtFile		f;
		CtSpan		span = {0};

		CHECK_FOR_INTERRUPTS();
		errno = 0;
		de = readdir(dir);
		if (de == NULL)
		{
			if (errno != 0)
			{
				int			save = errno;

				FreeDir(dir);
				ct_report_bad(tree->onerr, rel[0] ? rel : ".", ERRCODE_IO_ERROR,
							  "could not read folder", strerror(save), NULL, NULL);
				*n = 0;
				return entries;
			}
			break;
		}
		if (files ? !parse_file_name(de->d_name, &f) : !name_fits(tree, level, de->d_name))
			continue;
		if (files)
		{
			/* a file the time conditions prune is counted, never stat()ed */
			tree->files_listed++;
			if (!keep_file(tree, rel, de->d_name, f.delivery, &span))
				continue;
		}
		if (*n == cap)
		{
			cap *= 2;
			entries = repalloc(entries, cap * sizeof(DirEntry));
		}
		entries[*n].span = span;
		entries[*n].name = pstrdup(de->d_name);
		entries[*n].d_type = de->d_type;
		(*n)++;
	}
	qsort(entries, *n, sizeof(DirEntry), entry_cmp);
	{
		int			kept = 0;

		for (int i = 0; i < *n; i++)
		{
			EntryKind	kind;
			int64		size;
			struct timespec mtime;

			CHECK_FOR_INTERRUPTS();
			/* links in the prefix area are not part of the layout: never followed */
			kind = entry_kind(tree, dirfd(dir), rel, entries[i].name, entries[i].d_type,
							  files || level != CT_LEVEL_PREFIX, want_size, &size, &mtime);
			if (kind != (files ? ENTRY_FILE : ENTRY_DIR))
				continue;
			entries[kept] = entries[i];
			entries[kept].kind = kind;
			entries[kept].size = size;
			entries[kept].mtime = mtime;
			kept++;
		}
		*n = kept;
	}
	FreeDir(dir);
	return entries;
}

/*
 * A day folder's identity, for a scan through the index (files_from_index)
 * to compare with the one it was indexed with.  Asked by name in its month
 * folder (month_rel, opened once for all its days: *mfd, -1 before), it
 * costs a third of asking by its whole path later.
 */
static void
note_day_identity(CtTree *tree, const char *month_rel, int *mfd, const char *name,
				  CtPartition *p)
{
	struct stat st;

	p->id_known = false;
	if (*mfd == -1)
	{
		char	   *abs = abs_path(tree, month_rel);

		*mfd = OpenTransientFile(abs, O_RDONLY | O_DIRECTORY);
		if (*mfd < 0)
			*mfd = -2;			/* asked again by path, as without this */
		pfree(abs);
	}
	if (*mfd < 0 || fstatat(*mfd, name, &st, 0) != 0)
		return;
	p->id_known = true;
	p->id_mtime_sec = st.st_mtim.tv_sec;
	p->id_mtime_nsec = st.st_mtim.tv_nsec;
	p->id_ino = (uint64) st.st_ino;
}

/*
 * Walks the skeleton below rel (a folder of the given level), adding the day
 * folders that pruning keeps to *out.  With counting, the branch is pruned:
 * it is walked only to count its day folders (for EXPLAIN's total).
 */
static void
walk(CtTree *tree, const char *rel, CtLevel level, CtPartition *cur,
	 int prefix_depth, bool counting, List **out)
{
	DirEntry   *entries;
	int			n;
	int			mfd = -1;		/* a month folder, for its days' identities */

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	if (level == CT_LEVEL_DAY)
	{
		CtPartition *p;

		tree->partitions_total++;
		if (counting || !ct_keep_partition(tree->prune, cur))
			return;
		p = palloc(sizeof(CtPartition));
		*p = *cur;
		p->dir = pstrdup(rel);
		*out = lappend(*out, p);
		return;
	}

	entries = list_dir(tree, rel, level, false, false, &n);
	for (int i = 0; i < n; i++)
	{
		const char *name = entries[i].name;
		char	   *child;
		CtPartition next = *cur;
		bool		pruned = counting;

		if (!pruned && level != CT_LEVEL_PREFIX && level != CT_LEVEL_ACCOUNT &&
			!ct_keep_dir(tree->prune, level, name, cur))
		{
			if (!tree->count_total)
				continue;
			pruned = true;
		}
		child = join_rel(rel, name);

		switch (level)
		{
			case CT_LEVEL_PREFIX:
				if (strcmp(name, "AWSLogs") == 0)
					walk(tree, child, CT_LEVEL_AWSLOGS, &next, 0, pruned, out);
				else if (prefix_depth < CT_MAX_PREFIX_DEPTH)
					walk(tree, child, CT_LEVEL_PREFIX, &next, prefix_depth + 1, pruned, out);
				break;
			case CT_LEVEL_AWSLOGS:
				if (is_org(name))
				{
					next.org = pstrdup(name);
					walk(tree, child, CT_LEVEL_ORG, &next, 0, pruned, out);
				}
				else
				{
					next.account = pstrdup(name);
					walk(tree, child, CT_LEVEL_ACCOUNT, &next, 0, pruned, out);
				}
				break;
			case CT_LEVEL_ORG:
				next.account = pstrdup(name);
				walk(tree, child, CT_LEVEL_ACCOUNT, &next, 0, pruned, out);
				break;
			case CT_LEVEL_ACCOUNT:
				walk(tree, child, CT_LEVEL_TYPE, &next, 0, pruned, out);
				break;
			case CT_LEVEL_TYPE:
				next.region = pstrdup(name);
				walk(tree, child, CT_LEVEL_REGION, &next, 0, pruned, out);
				break;
			case CT_LEVEL_REGION:
				next.date = num(name, 4);	/* year, completed below */
				walk(tree, child, CT_LEVEL_YEAR, &next, 0, pruned, out);
				break;
			case CT_LEVEL_YEAR:
				next.date = next.date * 100 + num(name, 2);
				walk(tree, child, CT_LEVEL_MONTH, &next, 0, pruned, out);
				break;
			case CT_LEVEL_MONTH:
				{
					int			y = cur->date / 100;
					int			m = cur->date % 100;
					int			d = num(name, 2);

					if (!valid_date(y, m, d))
						break;
					next.date = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
					/* only the days the scan keeps */
					if (!pruned && tree->index && !tree->index_plan &&
						ct_keep_partition(tree->prune, &next))
						note_day_identity(tree, rel, &mfd, name, &next);
					walk(tree, child, CT_LEVEL_DAY, &next, 0, pruned, out);
					break;
				}
			default:
				break;
		}
		pfree(child);
	}
	if (mfd >= 0)
		CloseTransientFile(mfd);
}

/*
 * The path parts of an indexed day folder, [prefix/]AWSLogs/[o-ORG/]ACCOUNT/
 * TYPE/REGION/YYYY/MM/DD, as the walk would find them.
 */
static bool
parse_partition_dir(CtTree *tree, char *dir, CtPartition *p)
{
	char	   *parts[CT_MAX_PREFIX_DEPTH + 10];
	int			n = 0;
	int			k;

	/* cut at each '/' (planning does this for every folder of the index) */
	for (char *c = dir;; c++)
	{
		char	   *start = c;

		while (*c != '/' && *c != '\0')
			c++;
		if (c > start)
		{
			if (n == lengthof(parts))
				return false;
			parts[n++] = start;
		}
		if (*c == '\0')
			break;
		*c = '\0';
	}
	for (k = 0; k < n && strcmp(parts[k], "AWSLogs") != 0; k++)
		;
	if (++k >= n)
		return false;
	p->org = NULL;
	if (is_org(parts[k]))
		p->org = parts[k++];
	if (n - k != 6 || !is_account(parts[k]) || strcmp(parts[k + 1], tree->log_type) != 0)
		return false;
	p->account = parts[k];
	p->region = parts[k + 2];
	return true;
}

/*
 * Folder i of the index as a partition, its path parts in buf (at least
 * 2 x MAXPGPATH): false when it is outside the start of the walk, is pruned
 * by its date or its path parts, or does not parse.  Counts it in
 * partitions_total, as the walk would, unless it does not parse.
 */
static bool
index_partition(CtTree *tree, int i, CtPartition *part, char *buf)
{
	size_t		slen = strlen(tree->start);
	size_t		plen;
	const char *path = ct_index_folder_path(tree->index, i, &plen);
	DateADT		date;

	if (slen > 0 && (plen < slen || strncmp(path, tree->start, slen) != 0 ||
					 (plen > slen && path[slen] != '/')))
		return false;
	/* a folder its date prunes is only counted: every indexed folder parses */
	date = ct_index_folder_date(tree->index, i);
	if (!ct_keep_date(tree->prune, date))
	{
		tree->partitions_total++;
		return false;
	}
	if (plen >= MAXPGPATH)
		return false;
	/* buf: the path, then a copy that parse_partition_dir() cuts up */
	memcpy(buf, path, plen);
	buf[plen] = '\0';
	memcpy(buf + plen + 1, path, plen);
	buf[2 * plen + 1] = '\0';
	if (!parse_partition_dir(tree, buf + plen + 1, part))
		return false;
	tree->partitions_total++;
	part->dir = buf;
	part->date = date;
	part->index_slot = i + 1;
	part->id_known = false;
	return ct_keep_partition(tree->prune, part);
}

/*
 * Planning with an index: the partitions it knows under the start of the
 * walk, without a look at the disk (a folder made since the last refresh is
 * missed, which only the estimates see: the scan walks the tree).  Each is
 * one allocation, its strings after it: a scan of a year lists hundreds of
 * thousands.
 */
static List *
partitions_from_index(CtTree *tree)
{
	List	   *out = NIL;
	int			n = ct_index_nfolders(tree->index);
	char		buf[2 * MAXPGPATH];

	for (int i = 0; i < n; i++)
	{
		CtPartition part;
		CtPartition *copy;
		size_t		len;

		CHECK_FOR_INTERRUPTS();
		if (!index_partition(tree, i, &part, buf))
			continue;
		len = strlen(buf) + 1;
		copy = palloc(sizeof(CtPartition) + 2 * len);
		*copy = part;
		copy->dir = (char *) (copy + 1);
		memcpy(copy->dir, buf, 2 * len);
		/* the path parts point into the copy of the cut-up path */
		copy->account = copy->dir + (part.account - buf);
		copy->region = copy->dir + (part.region - buf);
		if (part.org)
			copy->org = copy->dir + (part.org - buf);
		out = lappend(out, copy);
	}
	return out;
}

/*
 * Lists the partitions (day folders) under the start of the walk, in a
 * stable order.  Day folders are not opened.
 */
List *
ct_tree_partitions(CtTree *tree)
{
	List	   *out = NIL;
	CtPartition cur = tree->seed;

	if (tree->index && tree->index_plan && !tree->single_file)
		return partitions_from_index(tree);

	if (tree->single_file)
	{
		CtPartition *p = palloc(sizeof(CtPartition));

		tree->partitions_total++;
		*p = cur;
		p->dir = pstrdup(tree->start);
		return ct_keep_partition(tree->prune, p) ? list_make1(p) : NIL;
	}
	walk(tree, tree->start, tree->start_level, &cur, 0, false, &out);
	return out;
}

/*
 * Has the file of an index entry still the size and time it was indexed
 * with?  *dfd is the folder, opened on first use (-1 before), so that a
 * folder's files are looked up without walking the whole path each time.
 */
static bool
entry_unchanged(CtTree *tree, const char *dir, int *dfd, const CtIndexFile *e)
{
	struct stat st;

	if (*dfd < 0)
	{
		char	   *abs = abs_path(tree, dir);

		*dfd = OpenTransientFile(abs, O_RDONLY | O_DIRECTORY);
		pfree(abs);
		if (*dfd < 0)
			return false;		/* read as the listing finds it */
	}
	if (fstatat(*dfd, e->name, &st, 0) != 0)
		return (errno == ENOENT);	/* gone: it holds no rows */
	return ct_index_file_is(e, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/*
 * Are all the files a folder of this delivery date can hold kept by their
 * delivery times?  (What the conditions keep of delivery times is an
 * interval, so its first and last minute settle it.)
 */
static bool
date_wholly_kept(const CtPrune *p, DateADT date)
{
	TimestampTz first = (TimestampTz) date * USECS_PER_DAY;

	return ct_keep_file(p, first) &&
		ct_keep_file(p, first + USECS_PER_DAY - USECS_PER_MINUTE);
}

/*
 * The event files of a partition from the index, pruned as by a listing and
 * further by the index's event times and filters; NULL when the index does
 * not describe the folder as it is now (a scan compares the folder's
 * identity; planning trusts the index).  A file the index would skip is
 * skipped only if it is unchanged since it was indexed.
 */
static void
update_probe(CtTree *tree)
{
	if (tree->probe_for != tree->prune)
	{
		MemoryContext old = MemoryContextSwitchTo(tree->cxt);

		tree->probe = ct_index_probe(tree->prune);
		tree->probe_for = tree->prune;
		MemoryContextSwitchTo(old);
	}
}

/*
 * Has a day folder the identity it was indexed with?  Asked of the disk
 * unless the listing that found the folder saw it.
 */
static bool
folder_unchanged(CtTree *tree, const CtPartition *part, int folder)
{
	CtFolderId	id;
	CtFolderId	now;

	ct_index_folder_id(tree->index, folder, &id);
	if (part->id_known)
	{
		now.mtime_sec = part->id_mtime_sec;
		now.mtime_nsec = part->id_mtime_nsec;
		now.ino = part->id_ino;
	}
	else
	{
		char	   *abs = abs_path(tree, part->dir);
		struct stat st;
		bool		found = (stat(abs, &st) == 0);

		pfree(abs);
		if (!found)
			return false;
		ct_folder_id_of(&st, &now);
	}
	return ct_folder_id_equal(&now, &id);
}

static CtFile *
files_from_index(CtTree *tree, const CtPartition *part, bool with_size, int *nfiles,
				 int *changed_folder)
{
	int			folder = part->index_slot > 0 ? part->index_slot - 1 :
		ct_index_find(tree->index, part->dir);
	CtIndexFile *ix;
	CtFile	   *files;
	int			n;
	int			kept = 0;
	bool		whole = false;
	int			dfd = -1;

	*changed_folder = -1;
	if (folder < 0)
		return NULL;
	if (!tree->index_plan && !folder_unchanged(tree, part, folder))
	{
		*changed_folder = folder;
		return NULL;
	}
	update_probe(tree);

	/*
	 * The folder's summary can rule out all its files at once; then, unless
	 * each file's identity is to be checked, they need not be decoded.
	 */
	if (tree->probe)
	{
		CtFolderSummary sum;

		ct_index_folder_summary(tree->index, folder, &sum);
		whole = !ct_index_folder_may_match(tree->probe, tree->prune, &sum) &&
			date_wholly_kept(tree->prune, part->date);
		if (whole && (tree->index_plan || !tree->index_check_files))
		{
			n = (int) ct_index_folder_nfiles(tree->index, folder);
			tree->files_listed += n;
			tree->files_index_covered += n;
			tree->files_index_pruned += n;
			*nfiles = 0;
			return palloc(sizeof(CtFile));
		}
	}
	ix = ct_index_folder_files(tree->index, folder, &n);
	files = palloc(sizeof(CtFile) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		CtFile	   *f = &files[kept];

		CHECK_FOR_INTERRUPTS();
		/* the whole folder ruled out: only each file's identity is asked */
		if (whole)
		{
			tree->files_listed++;
			tree->files_index_covered++;
			if (entry_unchanged(tree, part->dir, &dfd, &ix[i]))
			{
				tree->files_index_pruned++;
				continue;
			}
			tree->files_index_stale++;
			if (!parse_file_name(ix[i].name, f))
				continue;
		}
		else
		{
			if (!parse_file_name(ix[i].name, f))
				continue;
			tree->files_listed++;
			tree->files_index_covered++;
			if (!ct_keep_file(tree->prune, f->delivery))
				continue;
		}
		if (!whole && !ct_index_may_match(tree->probe, tree->prune, &ix[i]))
		{
			if (tree->index_plan || !tree->index_check_files ||
				entry_unchanged(tree, part->dir, &dfd, &ix[i]))
			{
				tree->files_index_pruned++;
				continue;
			}
			tree->files_index_stale++;
		}
		f->span.known = false;
		/* exact times settle what a digest could: look one up only without them */
		if (!(ix[i].flags & CT_IXF_TIMES) && tree->use_digests &&
			ct_prune_wants_digest(tree->prune, f->delivery) &&
			ct_digest_times(tree, part->dir, ix[i].name, f->delivery,
							&f->span.oldest, &f->span.newest))
		{
			if (!ct_keep_file_times(tree->prune, f->span.oldest, f->span.newest))
			{
				tree->files_digest_pruned++;
				continue;
			}
			f->span.known = true;
		}
		f->name = ix[i].name;
		f->size = with_size ? ix[i].size : -1;
		f->mtime_sec = ix[i].mtime_sec;
		f->mtime_nsec = ix[i].mtime_nsec;
		f->times_exact = (ix[i].flags & CT_IXF_TIMES) != 0;
		f->newest = ix[i].newest;
		kept++;
	}
	if (dfd >= 0)
		CloseTransientFile(dfd);
	*nfiles = kept;
	return files;
}

/* Lists the event files of one partition, sorted by name (so by delivery time). */
CtFile *
ct_tree_files(CtTree *tree, const CtPartition *part, bool with_size, int *nfiles)
{
	DirEntry   *entries;
	CtFile	   *files;
	int			n;
	int			changed = -1;
	CtIndexFile *ix = NULL;
	int			nix = 0;
	int			j = 0;
	int			kept = 0;

	if (tree->single_file)
	{
		char	   *abs = psprintf("%s/%s/%s", tree->root, part->dir, tree->single_file);
		struct stat st;

		files = palloc(sizeof(CtFile));
		parse_file_name(tree->single_file, files);
		files->name = pstrdup(tree->single_file);
		files->size = (with_size && stat(abs, &st) == 0) ? st.st_size : -1;
		tree->files_listed++;
		*nfiles = keep_file(tree, part->dir, files->name, files->delivery, &files->span) ? 1 : 0;
		return files;
	}

	if (tree->index)
	{
		files = files_from_index(tree, part, with_size, nfiles, &changed);
		if (files)
			return files;
	}

	/*
	 * A folder that changed since it was indexed (a live mirror's newest
	 * day) is listed, with every file's size and time; the files still as
	 * they were indexed keep their entries.
	 */
	entries = list_dir(tree, part->dir, CT_LEVEL_DAY, true, with_size || changed >= 0, &n);
	if (changed >= 0)
	{
		ix = ct_index_folder_files(tree->index, changed, &nix);
		update_probe(tree);
	}
	files = palloc(Max(n, 1) * sizeof(CtFile));
	for (int i = 0; i < n; i++)
	{
		CtFile	   *f = &files[kept];
		int			c = 1;

		parse_file_name(entries[i].name, f);
		f->name = entries[i].name;
		f->size = with_size ? entries[i].size : -1;
		f->mtime_sec = entries[i].mtime.tv_sec;
		f->mtime_nsec = entries[i].mtime.tv_nsec;
		f->span = entries[i].span;
		f->times_exact = false;
		if (tree->index)
		{
			/* both in name order */
			while (j < nix && (c = strcmp(ix[j].name, f->name)) < 0)
				j++;
			if (j < nix && c == 0 &&
				ct_index_file_is(&ix[j], entries[i].size, f->mtime_sec, f->mtime_nsec))
			{
				tree->files_index_covered++;
				if (!ct_index_may_match(tree->probe, tree->prune, &ix[j]))
				{
					tree->files_index_pruned++;
					continue;
				}
				f->times_exact = (ix[j].flags & CT_IXF_TIMES) != 0;
				f->newest = ix[j].newest;
			}
			else if (j < nix && c == 0)
				tree->files_index_stale++;
			else
				tree->files_unindexed++;
		}
		kept++;
	}
	*nfiles = kept;
	return files;
}

/*
 * Planning through the index: may a folder's files be counted from its
 * summary, no file of it being pruned by anything but the whole folder?
 */
static bool
counted_whole(CtTree *tree, const CtPartition *part)
{
	TimestampTz last = (TimestampTz) part->date * USECS_PER_DAY +
		USECS_PER_DAY - USECS_PER_MINUTE;

	if (!tree->index || !tree->index_plan || part->index_slot <= 0)
		return false;
	if (tree->prune == NULL)
		return true;
	update_probe(tree);
	return tree->probe == NULL && date_wholly_kept(tree->prune, part->date) &&
		!(tree->use_digests && ct_prune_wants_digest(tree->prune, last));
}

/* Adds the files of one partition to the sizes of a plan. */
static void
size_partition(CtTree *tree, const CtPartition *part, CtTreeSizes *sizes,
			   MemoryContext partcxt)
{
	int			n;
	CtFile	   *files;
	MemoryContext old;

	if (counted_whole(tree, part))
	{
		CtFolderSummary sum;
		int			folder = part->index_slot - 1;

		ct_index_folder_summary(tree->index, folder, &sum);
		n = (int) ct_index_folder_nfiles(tree->index, folder);
		tree->files_listed += n;
		tree->files_index_covered += n;
		sizes->nfiles += n;
		sizes->gz_bytes += sum.total_size - sum.plain_size;
		sizes->plain_bytes += sum.plain_size;
		return;
	}
	/* one folder's files at a time: planning a million files holds none */
	old = MemoryContextSwitchTo(partcxt);
	files = ct_tree_files(tree, part, true, &n);
	MemoryContextSwitchTo(old);
	for (int i = 0; i < n; i++)
	{
		if (files[i].size < 0)
			continue;
		if (files[i].gzip)
			sizes->gz_bytes += files[i].size;
		else
			sizes->plain_bytes += files[i].size;
	}
	sizes->nfiles += n;
	MemoryContextReset(partcxt);
}

/*
 * Planning: the number and bytes (gzip, plain) of the files a scan of the
 * tree would read, pruned by prune.  Returns the number of partitions.
 * Through the index, its folders are taken one by one and nothing is kept
 * of them: a whole archive's tens of thousands of partitions cost no memory.
 */
int
ct_tree_sizes(CtTree *tree, const CtPrune *prune, CtTreeSizes *sizes)
{
	int			nparts = 0;
	MemoryContext partcxt = AllocSetContextCreate(CurrentMemoryContext,
												  "cloudtrail_fdw sizing",
												  ALLOCSET_DEFAULT_SIZES);

	memset(sizes, 0, sizeof(*sizes));
	tree->prune = (prune && ct_prune_active(prune)) ? prune : NULL;
	if (tree->index && tree->index_plan && !tree->single_file)
	{
		int			n = ct_index_nfolders(tree->index);
		char		buf[2 * MAXPGPATH];

		for (int i = 0; i < n; i++)
		{
			CtPartition part;

			CHECK_FOR_INTERRUPTS();
			if (!index_partition(tree, i, &part, buf))
				continue;
			size_partition(tree, &part, sizes, partcxt);
			nparts++;
		}
	}
	else
	{
		List	   *parts = ct_tree_partitions(tree);
		ListCell   *lc;

		foreach(lc, parts)
		{
			CHECK_FOR_INTERRUPTS();
			size_partition(tree, lfirst(lc), sizes, partcxt);
		}
		nparts = list_length(parts);
	}
	MemoryContextDelete(partcxt);
	return nparts;
}

/*
 * Resolves the root and the location, and works out where in the layout the
 * walk starts.  Errors here are about the configuration, never skipped.
 */
void
ct_tree_open(CtTree *tree, const CtOptions *opts, CtOnError *onerr)
{
	ct_tree_open_with(tree, opts, onerr, ct_enable_index);
}

/* ct_tree_open(), with the mirror's index or without it, whatever the setting */
void
ct_tree_open_with(CtTree *tree, const CtOptions *opts, CtOnError *onerr, bool with_index)
{
	char	   *real_root;
	char	   *loc_abs;
	char	   *real_loc;
	char	   *rel;
	struct stat st;
	List	   *parts;
	ListCell   *lc;
	int			awslogs = -1;
	int			i;

	memset(tree, 0, sizeof(CtTree));
	tree->log_type = opts->log_type;
	tree->onerr = onerr;
	/* only the default tree has digests of its own */
	tree->index_check_files = opts->index_check_files;
	tree->use_digests = opts->use_digests &&
		strcmp(opts->log_type, CT_DEFAULT_LOG_TYPE) == 0;
	tree->digest_generation = ct_digest_generation();
	tree->cxt = CurrentMemoryContext;

	real_root = realpath(opts->root, NULL);
	if (real_root == NULL || stat(real_root, &st) != 0 || !S_ISDIR(st.st_mode))
	{
		int			save = errno;

		if (real_root)
			save = ENOTDIR;
		ereport(ERROR,
				(errcode(save == EACCES ? ERRCODE_INSUFFICIENT_PRIVILEGE : ERRCODE_UNDEFINED_FILE),
				 errmsg("could not open the root folder of cloudtrail_fdw server \"%s\": %s",
						opts->server_name, strerror(save)),
				 ct_may_see_paths() ? errdetail("The root is \"%s\".", opts->root) : 0,
				 errhint("The server option \"root\" must name an existing folder that the database server can read.")));
	}
	tree->root = pstrdup(real_root);
	free(real_root);
	if (with_index)
		tree->index = ct_index_open(tree->root, tree->log_type, tree->cxt);

	if (opts->location == NULL)
	{
		tree->start = pstrdup("");
		tree->start_level = CT_LEVEL_PREFIX;
		return;
	}

	loc_abs = is_absolute_path(opts->location) ? pstrdup(opts->location) :
		psprintf("%s/%s", tree->root, opts->location);
	real_loc = realpath(loc_abs, NULL);
	if (real_loc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FILE),
				 errmsg("location \"%s\" of foreign table \"%s\" does not exist",
						opts->location, onerr->relname),
				 errhint("A relative location is taken from the server's root.")));
	if (!ct_tree_inside_root(tree, real_loc))
	{
		free(real_loc);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("location \"%s\" of foreign table \"%s\" is outside the root folder of server \"%s\"",
						opts->location, onerr->relname, opts->server_name),
				 errhint("The location must be inside the root, also after following symbolic links.")));
	}
	rel = pstrdup(real_loc + strlen(tree->root));
	free(real_loc);
	while (rel[0] == '/')
		rel++;
	if (stat(loc_abs, &st) != 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open location \"%s\" of foreign table \"%s\": %m",
						opts->location, onerr->relname)));

	/* Where is the location in the layout? */
	tree->start = rel;
	tree->start_level = CT_LEVEL_PREFIX;
	parts = NIL;
	{
		char	   *copy = pstrdup(rel);
		char	   *tok;
		char	   *save;

		for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
			parts = lappend(parts, tok);
	}
	i = 0;
	foreach(lc, parts)
	{
		if (strcmp(lfirst(lc), "AWSLogs") == 0)
			awslogs = i;
		i++;
	}
	if (awslogs < 0)
		return;					/* inside the prefix: search below */

	tree->start_level = CT_LEVEL_AWSLOGS;
	for (i = awslogs + 1; i < list_length(parts); i++)
	{
		const char *name = list_nth(parts, i);
		CtLevel		level = tree->start_level;
		bool		last = (i == list_length(parts) - 1);
		CtFile		f;

		if (level == CT_LEVEL_DAY && last && S_ISREG(st.st_mode) &&
			parse_file_name(name, &f))
		{
			tree->single_file = pstrdup(name);
			tree->start = pnstrdup(rel, strlen(rel) - strlen(name) - 1);
			tree->start_level = CT_LEVEL_FILE;
			return;
		}
		if (level == CT_LEVEL_DAY || !name_fits(tree, level, name))
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
					 errmsg("location \"%s\" of foreign table \"%s\" does not fit the CloudTrail layout",
							opts->location, onerr->relname),
					 level == CT_LEVEL_ACCOUNT && strncmp(name, "CloudTrail", 10) == 0
					 ? errdetail("The folder \"%s\" does not match the table's log_type \"%s\".",
								 name, tree->log_type)
					 : errdetail("\"%s\" is not what the layout expects at this level.", name),
					 errhint("The layout is [prefix/]AWSLogs/[o-ORGID/]ACCOUNT/%s/REGION/YYYY/MM/DD.",
							 tree->log_type)));
		switch (level)
		{
			case CT_LEVEL_AWSLOGS:
				if (is_org(name))
				{
					tree->seed.org = pstrdup(name);
					tree->start_level = CT_LEVEL_ORG;
				}
				else
				{
					tree->seed.account = pstrdup(name);
					tree->start_level = CT_LEVEL_ACCOUNT;
				}
				break;
			case CT_LEVEL_ORG:
				tree->seed.account = pstrdup(name);
				tree->start_level = CT_LEVEL_ACCOUNT;
				break;
			case CT_LEVEL_ACCOUNT:
				tree->start_level = CT_LEVEL_TYPE;
				break;
			case CT_LEVEL_TYPE:
				tree->seed.region = pstrdup(name);
				tree->start_level = CT_LEVEL_REGION;
				break;
			case CT_LEVEL_REGION:
				tree->seed.date = num(name, 4);
				tree->start_level = CT_LEVEL_YEAR;
				break;
			case CT_LEVEL_YEAR:
				tree->seed.date = tree->seed.date * 100 + num(name, 2);
				tree->start_level = CT_LEVEL_MONTH;
				break;
			case CT_LEVEL_MONTH:
				{
					int			y = tree->seed.date / 100;
					int			m = tree->seed.date % 100;
					int			d = num(name, 2);

					if (!valid_date(y, m, d))
						ereport(ERROR,
								(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
								 errmsg("location \"%s\" of foreign table \"%s\" names an invalid date",
										opts->location, onerr->relname)));
					tree->seed.date = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
					tree->start_level = CT_LEVEL_DAY;
					break;
				}
			default:
				break;
		}
	}
	if (!S_ISDIR(st.st_mode))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("location \"%s\" of foreign table \"%s\" is not a folder or an event file",
						opts->location, onerr->relname)));
}
