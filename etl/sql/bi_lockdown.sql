-- Lock a read-only connection to warehouse.duckdb down to the warehouse's live table files.
-- Run it right after connecting (read-only, file_search_path = the warehouse folder); it is the
-- same for every warehouse: the file list comes from the catalog itself (_catalog_files), the
-- absolute form from the catalog's own path and from file_search_path.
-- Afterwards the connection can read exactly those files and nothing else on the machine:
-- no other file (read_csv('/etc/passwd'), the manifest), no new file written (COPY, EXPORT),
-- no file ATTACHed, no extension INSTALL/LOAD, and no SET can loosen it (lock_configuration).
-- allowed_paths does not tell reads from writes, so COPY ... (USE_TMP_FILE false) onto one of
-- these very files is the one write left: give BI users no write permission on the warehouse.
SET VARIABLE etl_warehouse_files = (
    SELECT list(DISTINCT p ORDER BY p) FROM (
        SELECT f.path AS p FROM _catalog_files f
        UNION ALL
        SELECT parse_dirpath(d.path) || '/' || f.path
        FROM _catalog_files f, duckdb_databases() d
        WHERE d.database_name = current_database()
        UNION ALL
        SELECT rtrim(trim(s.dir), '/') || '/' || f.path
        FROM _catalog_files f,
             (SELECT unnest(string_split(current_setting('file_search_path'), ',')) AS dir) s
        WHERE trim(s.dir) <> ''
    )
);
SET allowed_paths = getvariable('etl_warehouse_files');
RESET VARIABLE etl_warehouse_files;
SET enable_external_access = false;
SET autoinstall_known_extensions = false;
SET autoload_known_extensions = false;
SET lock_configuration = true;
