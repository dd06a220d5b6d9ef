//! The database handle. SQLite (embedded default, WAL) or PostgreSQL, chosen by URL.
//!
//! Writes go through [`begin_write`]: its first statement takes the tenant's write lock (a row
//! in `tenant_sequences`), which orders that tenant's audit chain and, on SQLite, takes the
//! write lock up front so a transaction never has to upgrade a read snapshot.

use crate::platform::ids::TenantId;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, Statement,
    TransactionTrait,
};
use uuid::Uuid;

use assetronics_migrations::{Migrator, MigratorTrait};

/// Opens the pool for `url` and runs pending migrations.
pub async fn connect(url: &str, max_connections: Option<u32>) -> Result<DatabaseConnection, DbErr> {
    let db = if url.starts_with("sqlite:") {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| DbErr::Custom(format!("bad SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.unwrap_or(4))
            .connect_with(opts)
            .await
            .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))?;
        sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
    } else {
        // Custom plans for every statement: a cached generic plan for `col IN ($1, ..., $500)`
        // (how batched lookups are written) can fall back to scanning the table and testing
        // each row against the whole list, which made a 50,000-person sync take minutes.
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| DbErr::Custom(format!("bad PostgreSQL URL: {e}")))?
            .options([("plan_cache_mode", "force_custom_plan")]);
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.unwrap_or(10))
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await
            .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into())))?;
        sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
    };
    Migrator::up(&db, None).await?;
    Ok(db)
}

/// Counts the SQL statements run through a connection pool. Always on (one atomic add per
/// statement); tests use it to bound how many queries a request issues.
#[derive(Debug, Default)]
pub struct StatementCounter(AtomicU64);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Makes `db` count every statement it runs (transactions included) into `counter`.
pub fn count_statements(db: &mut DatabaseConnection, counter: Arc<StatementCounter>) {
    db.set_metric_callback(move |_| {
        counter.0.fetch_add(1, Ordering::Relaxed);
    });
}

/// Creates the parent directory of a `sqlite://` URL's file.
pub fn ensure_sqlite_dir(url: &str) -> std::io::Result<()> {
    if let Some(rest) = url.strip_prefix("sqlite://") {
        let path = rest.split('?').next().unwrap_or(rest);
        if let Some(parent) = std::path::Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)?;
        }
    }
    Ok(())
}

/// Begins a transaction that writes tenant data and takes that tenant's write lock first.
pub async fn begin_write(
    db: &DatabaseConnection,
    tenant_id: TenantId,
) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    lock_tenant(&txn, tenant_id).await?;
    Ok(txn)
}

/// Begins a write transaction that belongs to no tenant yet (signup). On SQLite its first
/// statement is a write, so the database write lock is taken up front: a transaction that read
/// first and wrote later would fail at once (SQLITE_BUSY) when another connection — another
/// request, a job worker's poll — wrote in between.
pub async fn begin_untenanted_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = db.begin().await?;
    if txn.get_database_backend() == DatabaseBackend::Sqlite {
        txn.execute_unprepared("UPDATE tenant_sequences SET value = value WHERE 0 = 1")
            .await?;
    }
    Ok(txn)
}

/// Takes the tenant's write lock inside an open transaction (idempotent per transaction).
pub async fn lock_tenant<C: ConnectionTrait>(conn: &C, tenant_id: TenantId) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let res = conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "UPDATE tenant_sequences SET value = value WHERE tenant_id = $1 AND name = 'audit'",
            ),
            [tenant_id.into()],
        ))
        .await?;
    if res.rows_affected() == 0 {
        conn.execute_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "INSERT INTO tenant_sequences (tenant_id, name, value) VALUES ($1, 'audit', 0) ON CONFLICT DO NOTHING",
            ),
            [tenant_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Takes the next value of a named per-tenant sequence (e.g. asset tags).
pub async fn next_sequence<C: ConnectionTrait>(
    conn: &C,
    tenant_id: TenantId,
    name: &str,
) -> Result<i64, DbErr> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql(
            backend,
            "INSERT INTO tenant_sequences (tenant_id, name, value) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
        ),
        [tenant_id.into(), name.into()],
    ))
    .await?;
    let row = conn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql(
                backend,
                "UPDATE tenant_sequences SET value = value + 1 WHERE tenant_id = $1 AND name = $2 RETURNING value",
            ),
            [tenant_id.into(), name.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::Custom(format!("sequence {name} missing")))?;
    row.try_get::<i64>("", "value")
}

/// Rewrites `$n` placeholders as `?` for SQLite, so hand-written SQL is written once.
pub fn sql(backend: DatabaseBackend, pg: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => pg.to_owned(),
        _ => {
            let mut out = String::with_capacity(pg.len());
            let mut chars = pg.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                    while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                        chars.next();
                    }
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
    }
}

/// The rows of entity `E` among `ids` that belong to `tenant_id`, keyed by id: one query for
/// any number of ids (none for no ids). What every batch lookup (views, loaders) is built on.
pub async fn tenant_rows_by_ids<E, C>(
    conn: &C,
    tenant_col: E::Column,
    id_col: E::Column,
    tenant_id: TenantId,
    ids: impl IntoIterator<Item = Uuid>,
    key: fn(&E::Model) -> Uuid,
) -> Result<std::collections::HashMap<Uuid, E::Model>, DbErr>
where
    E: sea_orm::EntityTrait,
    C: ConnectionTrait,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let ids: std::collections::HashSet<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(E::find()
        .filter(tenant_col.eq(tenant_id))
        .filter(id_col.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (key(&m), m))
        .collect())
}

/// True when the database answers a trivial query.
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.execute_unprepared("SELECT 1").await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_rewritten_for_sqlite() {
        assert_eq!(
            sql(DatabaseBackend::Sqlite, "a = $1 AND b = $12"),
            "a = ? AND b = ?"
        );
        assert_eq!(sql(DatabaseBackend::Postgres, "a = $1"), "a = $1");
    }
}
