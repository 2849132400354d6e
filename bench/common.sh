# Pieces the benchmark scripts share (sourced by run.sh, index_bench.sh, memtest.sh, which set
# BENCH_DIR and ROOT and define say()).

# The npm packages of bench/package.json (DuckDB, pg), unless node_modules has them and is not
# older than the lock file.
bench_node_modules() {
  if [ ! -d "$BENCH_DIR/node_modules/@duckdb/node-api" ] || [ ! -d "$BENCH_DIR/node_modules/pg" ] ||
     [ "$BENCH_DIR/package-lock.json" -nt "$BENCH_DIR/node_modules/.package-lock.json" ]; then
    say "npm ci (bench/package.json)"
    (cd "$BENCH_DIR" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

# Builds and installs the extension of this tree, unless BENCH_SKIP_BUILD=1.
bench_build() {
  if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    say "building and installing cloudtrail_fdw"
    local SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    make -C "$ROOT" -s >&2
    $SUDO make -C "$ROOT" -s install >&2
  fi
}
