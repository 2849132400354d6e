/*-------------------------------------------------------------------------
 *
 * ct_options.c
 *		Validation of cloudtrail_fdw options and the privilege rules for
 *		the options that name folders.
 *
 * root and location decide which server files a query reads, so, as with
 * file_fdw's filename, only superusers and members of pg_read_server_files
 * may set them.  Other users query only the tables they are granted.
 *
 * A location must lie inside its server's root.  A relative one cannot leave
 * it (".." is refused); an absolute one is compared with the root when the
 * statement that sets it ends, since a table's validator is not told its
 * server.  Scans check again after following symbolic links (ct_tree.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_user_mapping.h"
#include "catalog/pg_attribute.h"
#include "commands/defrem.h"
#include "foreign/foreign.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "cloudtrail_fdw.h"
#include "ct_compat.h"
#include "ct_options.h"
#include "ct_prune.h"

typedef struct CtOptionDef
{
	const char *name;
	Oid			context;		/* catalog the option belongs to */
} CtOptionDef;

static const CtOptionDef valid_options[] = {
	{"root", ForeignServerRelationId},
	{"max_delivery_delay", ForeignServerRelationId},
	{"use_digests", ForeignServerRelationId},
	{"index_check", ForeignServerRelationId},
	{"location", ForeignTableRelationId},
	{"max_delivery_delay", ForeignTableRelationId},
	{"log_type", ForeignTableRelationId},
	{"on_error", ForeignTableRelationId},
	{"use_digests", ForeignTableRelationId},
	{"index_check", ForeignTableRelationId},
	{"verify_hashes", ForeignTableRelationId},
	{"field", AttributeRelationId},
	{NULL, InvalidOid}
};

static const char *const log_types[] = {
	CT_DEFAULT_LOG_TYPE, CT_INSIGHT_LOG_TYPE, CT_NETWORK_LOG_TYPE, NULL
};

PG_FUNCTION_INFO_V1(cloudtrail_fdw_validator);

/* May the current user set (and see) paths of the server's file system? */
bool
ct_may_see_paths(void)
{
	return has_privs_of_role(GetUserId(), CT_ROLE_READ_SERVER_FILES);
}

static bool
has_dotdot(const char *path)
{
	const char *p = path;

	while (*p)
	{
		const char *slash = strchr(p, '/');
		size_t		len = slash ? (size_t) (slash - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return true;
		if (!slash)
			break;
		p = slash + 1;
	}
	return false;
}

static void
check_path_privilege(const char *optname)
{
	if (!ct_may_see_paths())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to set the cloudtrail_fdw option \"%s\"", optname),
				 errdetail("Only roles with privileges of the \"%s\" role may set this option.",
						   "pg_read_server_files")));
}

static void
check_path_value(const char *optname, const char *value)
{
	if (value[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("cloudtrail_fdw option \"%s\" must not be empty", optname)));
	if (has_dotdot(value))
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("cloudtrail_fdw option \"%s\" must not contain \"..\"", optname),
				 errhint("Name the folder without going up a level.")));
}

/* --- absolute locations against the root --------------------------------- */

static bool location_check_pending = false;
static Oid	validator_oid = InvalidOid;	/* identifies this FDW's servers */
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* Is path, made canonical, root or below it? */
static bool
path_inside(const char *path, const char *root)
{
	char	   *p = pstrdup(path);
	char	   *r = pstrdup(root);
	size_t		rlen;

	canonicalize_path(p);
	canonicalize_path(r);
	rlen = strlen(r);
	if (rlen == 1 && r[0] == '/')
		return true;
	return strncmp(p, r, rlen) == 0 && (p[rlen] == '\0' || p[rlen] == '/');
}

/*
 * Checks the foreign tables of this FDW whose options were written in the
 * current transaction: an absolute location must be inside the root.  The
 * catalog is read with SnapshotSelf, which sees the current command's rows.
 */
static void
check_written_locations(void)
{
	Relation	ftrel;
	SysScanDesc scan;
	HeapTuple	tuple;

	location_check_pending = false;
	ftrel = table_open(ForeignTableRelationId, AccessShareLock);
	scan = systable_beginscan(ftrel, InvalidOid, false, SnapshotSelf, 0, NULL);
	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_foreign_table ft = (Form_pg_foreign_table) GETSTRUCT(tuple);
		ForeignServer *server;
		Datum		datum;
		bool		isnull;
		ListCell   *lc;
		const char *root = NULL;
		const char *location = NULL;

		CHECK_FOR_INTERRUPTS();
		if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetRawXmin(tuple->t_data)))
			continue;
		server = GetForeignServer(ft->ftserver);
		if (GetForeignDataWrapper(server->fdwid)->fdwvalidator != validator_oid)
			continue;
		datum = heap_getattr(tuple, Anum_pg_foreign_table_ftoptions,
							 RelationGetDescr(ftrel), &isnull);
		if (isnull)
			continue;
		foreach(lc, untransformRelOptions(datum))
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, "location") == 0)
				location = defGetString(def);
		}
		foreach(lc, server->options)
		{
			DefElem    *def = (DefElem *) lfirst(lc);

			if (strcmp(def->defname, "root") == 0)
				root = defGetString(def);
		}
		if (location && root && is_absolute_path(location) && !path_inside(location, root))
		{
			char	   *relname = get_rel_name(ft->ftrelid);

			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("location \"%s\" of foreign table \"%s\" is outside the root folder of server \"%s\"",
							location, relname ? relname : "?", server->servername),
					 errhint("The location must be inside the root, also after following symbolic links.")));
		}
	}
	systable_endscan(scan);
	table_close(ftrel, AccessShareLock);
}

/*
 * Runs the check at the end of the utility statement that set the option;
 * in the session's first such statement (the library was loaded by its
 * validator call, after the statement started) at commit.
 */
static void
ct_process_utility(CT_UTILITY_PARAMS)
{
	if (prev_ProcessUtility)
		prev_ProcessUtility(CT_UTILITY_ARGS);
	else
		standard_ProcessUtility(CT_UTILITY_ARGS);
	if (location_check_pending)
		check_written_locations();
}

static void
location_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (location_check_pending)
				check_written_locations();
			break;
		default:
			location_check_pending = false;
			break;
	}
}

static void
arm_location_check(Oid fn_oid)
{
	validator_oid = fn_oid;
	location_check_pending = true;
}

/* Called once, from _PG_init(). */
void
ct_location_check_init(void)
{
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = ct_process_utility;
	RegisterXactCallback(location_xact_callback, NULL);
}

/* An option that takes one of two words. */
static void
check_choice(const char *optname, const char *value, const char *a, const char *b)
{
	if (strcmp(value, a) != 0 && strcmp(value, b) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
				 errmsg("invalid value for cloudtrail_fdw option \"%s\": \"%s\"", optname, value),
				 errhint("Valid values are \"%s\" and \"%s\".", a, b)));
}

Datum
cloudtrail_fdw_validator(PG_FUNCTION_ARGS)
{
	List	   *options = untransformRelOptions(PG_GETARG_DATUM(0));
	Oid			catalog = PG_GETARG_OID(1);
	bool		have_root = false;
	ListCell   *cell;

	foreach(cell, options)
	{
		DefElem    *def = (DefElem *) lfirst(cell);
		const CtOptionDef *opt;
		char	   *value;

		for (opt = valid_options; opt->name; opt++)
			if (opt->context == catalog && strcmp(opt->name, def->defname) == 0)
				break;
		if (opt->name == NULL)
		{
			StringInfoData buf;

			initStringInfo(&buf);
			for (opt = valid_options; opt->name; opt++)
				if (opt->context == catalog)
					appendStringInfo(&buf, "%s%s", buf.len > 0 ? ", " : "", opt->name);
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\"", def->defname),
					 buf.len > 0
					 ? errhint("Valid options in this context are: %s.", buf.data)
					 : errhint("There are no valid options in this context.")));
		}

		value = defGetString(def);
		if (strcmp(def->defname, "root") == 0)
		{
			check_path_privilege("root");
			check_path_value("root", value);
			if (!is_absolute_path(value))
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("cloudtrail_fdw option \"root\" must be an absolute path"),
						 errhint("Name the folder that holds AWSLogs/, for example '/srv/cloudtrail'.")));
			have_root = true;
		}
		else if (strcmp(def->defname, "location") == 0)
		{
			check_path_privilege("location");
			check_path_value("location", value);
			if (is_absolute_path(value))
				arm_location_check(fcinfo->flinfo->fn_oid);
		}
		else if (strcmp(def->defname, "log_type") == 0)
		{
			const char *const *lt;

			for (lt = log_types; *lt; lt++)
				if (strcmp(*lt, value) == 0)
					break;
			if (*lt == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for cloudtrail_fdw option \"log_type\": \"%s\"", value),
						 errhint("Valid values are \"%s\", \"%s\" and \"%s\".",
								 CT_DEFAULT_LOG_TYPE, CT_INSIGHT_LOG_TYPE, CT_NETWORK_LOG_TYPE)));
		}
		else if (strcmp(def->defname, "max_delivery_delay") == 0)
			(void) ct_parse_delay(value);
		else if (strcmp(def->defname, "use_digests") == 0 ||
				 strcmp(def->defname, "verify_hashes") == 0)
			(void) defGetBoolean(def);
		else if (strcmp(def->defname, "index_check") == 0)
			check_choice("index_check", value, "files", "folders");
		else if (strcmp(def->defname, "on_error") == 0)
			check_choice("on_error", value, "stop", "skip_file");
		else if (strcmp(def->defname, "field") == 0)
		{
			size_t		len = strlen(value);

			if (len == 0 || value[0] == '.' || value[len - 1] == '.' ||
				strstr(value, "..") != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FDW_INVALID_ATTRIBUTE_VALUE),
						 errmsg("invalid value for cloudtrail_fdw option \"field\": \"%s\"", value),
						 errhint("Give a path of record keys separated by dots, such as 'userIdentity.userName'.")));
		}
	}

	if (catalog == ForeignServerRelationId && !have_root)
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("cloudtrail_fdw server option \"root\" is required"),
				 errhint("Name the folder that holds the mirror, for example OPTIONS (root '/srv/cloudtrail').")));

	PG_RETURN_VOID();
}

/* Collects the options of a foreign table and its server. */
void
ct_get_options(Oid foreigntableid, CtOptions *opts)
{
	ForeignTable *table = GetForeignTable(foreigntableid);
	ForeignServer *server = GetForeignServer(table->serverid);
	/* the table's options come last, so they override the server's */
	List	   *options = list_concat(list_copy(server->options), table->options);
	ListCell   *lc;

	memset(opts, 0, sizeof(CtOptions));
	opts->server_name = server->servername;
	opts->log_type = CT_DEFAULT_LOG_TYPE;
	opts->delay_text = CT_DEFAULT_DELAY;
	opts->use_digests = true;
	opts->index_check_files = true;
	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "root") == 0)
			opts->root = defGetString(def);
		else if (strcmp(def->defname, "location") == 0)
			opts->location = defGetString(def);
		else if (strcmp(def->defname, "log_type") == 0)
			opts->log_type = defGetString(def);
		else if (strcmp(def->defname, "on_error") == 0)
			opts->skip_bad_files = strcmp(defGetString(def), "skip_file") == 0;
		else if (strcmp(def->defname, "max_delivery_delay") == 0)
			opts->delay_text = defGetString(def);
		else if (strcmp(def->defname, "use_digests") == 0)
			opts->use_digests = defGetBoolean(def);
		else if (strcmp(def->defname, "verify_hashes") == 0)
			opts->verify_hashes = defGetBoolean(def);
		else if (strcmp(def->defname, "index_check") == 0)
			opts->index_check_files = strcmp(defGetString(def), "files") == 0;
	}
	opts->delay = ct_parse_delay(opts->delay_text);
	if (opts->root == NULL)		/* only if the catalog was edited by hand */
		ereport(ERROR,
				(errcode(ERRCODE_FDW_OPTION_NAME_NOT_FOUND),
				 errmsg("cloudtrail_fdw server \"%s\" has no \"root\" option",
						server->servername)));
}

static const struct
{
	const char *name;
	CtColKind	kind;
}			reserved_columns[] =
{
	{"event", CT_COL_EVENT},
	{"org_id", CT_COL_ORG},
	{"account_id", CT_COL_ACCOUNT},
	{"region", CT_COL_REGION},
	{"delivery_date", CT_COL_DELIVERY_DATE},
	{"delivery_time", CT_COL_DELIVERY_TIME},
	{"log_file", CT_COL_LOG_FILE},
	{NULL, CT_COL_FIELD}
};

/* A key as the files write it: UTF-8, whatever the database's encoding. */
static char *
key_utf8(const char *key)
{
	return pg_server_to_any(key, strlen(key), PG_UTF8);
}

/*
 * Where a column's value comes from: its field option (a dotted key path,
 * matched exactly), else one of the reserved names (the whole record, or a
 * part of the file's path), else the top-level key of its name in any case.
 * Keys are kept in UTF-8, to be compared with the record's bytes.
 */
void
ct_column_map(Oid foreigntableid, Form_pg_attribute att, CtColumnMap *map)
{
	List	   *options = GetForeignColumnOptions(foreigntableid, att->attnum);
	const char *name = NameStr(att->attname);
	char	   *field = NULL;
	ListCell   *lc;

	memset(map, 0, sizeof(CtColumnMap));
	foreach(lc, options)
	{
		DefElem    *def = (DefElem *) lfirst(lc);

		if (strcmp(def->defname, "field") == 0)
			field = defGetString(def);
	}
	if (field == NULL)
	{
		for (int i = 0; reserved_columns[i].name; i++)
			if (strcmp(reserved_columns[i].name, name) == 0)
			{
				map->kind = reserved_columns[i].kind;
				return;
			}
		map->kind = CT_COL_FIELD;
		map->npath = 1;
		map->path = palloc(sizeof(char *));
		map->path[0] = pstrdup(key_utf8(name));
		map->first_ci = true;
		return;
	}
	else
	{
		char	   *copy = pstrdup(field);
		char	   *tok;
		char	   *save;

		map->kind = CT_COL_FIELD;
		map->path = palloc(sizeof(char *) * (strlen(field) / 2 + 1));
		for (tok = strtok_r(copy, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
			map->path[map->npath++] = key_utf8(tok);
	}
}

/*
 * Extends map to read keys further down, as jsonb's -> and ->> do: the
 * column's key path and then the keys (given in the database's encoding),
 * matched exactly; for the whole record (event) the keys start at its top
 * level.  false if the column does not read from the record.
 */
bool
ct_column_map_descend(CtColumnMap *map, char *const *keys, int nkeys)
{
	char	  **path;

	if (map->kind == CT_COL_EVENT)
	{
		map->kind = CT_COL_FIELD;
		map->npath = 0;
		map->first_ci = false;
	}
	else if (map->kind != CT_COL_FIELD)
		return false;
	path = palloc(sizeof(char *) * (map->npath + nkeys));
	if (map->npath > 0)
		memcpy(path, map->path, sizeof(char *) * map->npath);
	for (int i = 0; i < nkeys; i++)
		path[map->npath++] = pstrdup(key_utf8(keys[i]));
	map->path = path;
	return true;
}

/* Does the column read the record's eventTime (and nothing below it)? */
bool
ct_column_map_is_eventtime(const CtColumnMap *map)
{
	return map->kind == CT_COL_FIELD && map->npath == 1 &&
		(map->first_ci ? pg_strcasecmp(map->path[0], "eventTime") == 0
		 : strcmp(map->path[0], "eventTime") == 0);
}

/* Is relid a foreign table of a cloudtrail_fdw wrapper (by its handler's code)? */
static bool
is_cloudtrail_table(Oid relid)
{
	ForeignDataWrapper *fdw;
	FmgrInfo	fi;

	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
		return false;
	fdw = GetForeignDataWrapper(GetForeignServer(GetForeignTable(relid)->serverid)->fdwid);
	if (!OidIsValid(fdw->fdwhandler))
		return false;
	fmgr_info(fdw->fdwhandler, &fi);
	return fi.fn_addr == cloudtrail_fdw_handler;
}

/*
 * The checks the functions of the extension (refresh_index, index_info,
 * validate) make of their table argument: a cloudtrail_fdw table the user
 * may SELECT from; detail says why SELECT is needed.  Returns its name.
 */
char *
ct_check_table(Oid relid, const char *detail)
{
	char	   *relname = get_rel_name(relid);

	if (relname == NULL || !is_cloudtrail_table(relid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a cloudtrail_fdw foreign table",
						relname ? relname : "?")));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for foreign table %s", relname),
				 errdetail_internal("%s", detail)));
	return relname;
}
