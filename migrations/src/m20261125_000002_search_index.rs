//! Free-text search (`q`) matches `%text%` anywhere in `search_text`. On PostgreSQL a trigram
//! GIN index serves that without scanning the tenant's rows; where the `pg_trgm` extension
//! cannot be created (a managed server without it), the search still works, unindexed.
//! SQLite has no trigram index; the embedded default targets smaller inventories.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        db.execute_unprepared(
            r#"DO $$
            BEGIN
                BEGIN
                    CREATE EXTENSION IF NOT EXISTS pg_trgm;
                EXCEPTION WHEN OTHERS THEN
                    RAISE NOTICE 'pg_trgm unavailable; free-text search stays unindexed';
                END;
                IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                    CREATE INDEX IF NOT EXISTS ix_assets_search_trgm ON assets USING gin (search_text gin_trgm_ops);
                    CREATE INDEX IF NOT EXISTS ix_employees_search_trgm ON employees USING gin (search_text gin_trgm_ops);
                END IF;
            END
            $$"#,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("DROP INDEX IF EXISTS ix_assets_search_trgm; DROP INDEX IF EXISTS ix_employees_search_trgm")
                .await?;
        }
        Ok(())
    }
}
