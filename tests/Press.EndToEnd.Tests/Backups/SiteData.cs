using Npgsql;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>
/// Realistic content for a site's schema (written as the site's role, so the site owns it, as Frappe's tables would be)
/// and a fingerprint of every table's exact contents, to prove a restore is byte-identical.
/// </summary>
public static class SiteData
{
    /// <summary>12,000 rows over two tables with jsonb, bytea, timestamptz, numeric, unicode text, arrays, NULLs, plus a
    /// view, a function, an index and a sequence.</summary>
    public static async Task FillAsync(PressDatabase db, string schema, int rows = 10_000)
    {
        await using var conn = await Catalog.OpenSchemaHomeAsync(db, schema);
        await Exec(conn, $"SET ROLE \"{schema}\"");
        await Exec(conn, $"""
            CREATE TABLE "{schema}"."tabItem" (
                name text PRIMARY KEY, title text, data jsonb, blob bytea, modified timestamptz, amount numeric(21,9),
                qty double precision, flag boolean, day date, tags text[], idx bigserial);
            INSERT INTO "{schema}"."tabItem" (name, title, data, blob, modified, amount, qty, flag, day, tags)
            SELECT 'ITEM-' || lpad(i::text, 6, '0'),
                   CASE WHEN i % 17 = 0 THEN NULL ELSE 'Ärtikel ' || i || ' — 商品 ✓ ' || repeat('x', i % 40) END,
                   jsonb_build_object('i', i, 'ü', 'ñ', 'nested', jsonb_build_object('list', jsonb_build_array(i, i * 2, 'd"q'))),
                   decode(md5(i::text) || md5((i * 7)::text), 'hex'),
                   timestamptz '2026-01-01 00:00:00+05:30' + i * interval '37 minutes',
                   (i * 1.123456789)::numeric(21,9), i / 3.0, i % 2 = 0, date '2020-02-29' + i, ARRAY['a' || i, 'b''' || i]
            FROM generate_series(1, {rows}) i;
            CREATE INDEX ON "{schema}"."tabItem" (modified);
            CREATE TABLE "{schema}"."tabComment" (id bigserial PRIMARY KEY, item text REFERENCES "{schema}"."tabItem"(name), body text);
            INSERT INTO "{schema}"."tabComment" (item, body)
            SELECT 'ITEM-' || lpad((i % {rows} + 1)::text, 6, '0'), E'line one\nline two\ttab ' || i FROM generate_series(1, 2000) i;
            CREATE VIEW "{schema}"."vItemCount" AS SELECT count(*) AS n FROM "{schema}"."tabItem";
            CREATE FUNCTION "{schema}".item_total() RETURNS numeric LANGUAGE sql AS $$ SELECT sum(amount) FROM "{schema}"."tabItem" $$;
            """);
    }

    /// <summary>Table name → (rows, md5 of every row's text form in a stable order).</summary>
    public static async Task<SortedDictionary<string, string>> FingerprintAsync(PressDatabase db, string schema)
    {
        await using var conn = await Catalog.OpenSchemaHomeAsync(db, schema);
        var tables = new List<string>();
        await using (var cmd = new NpgsqlCommand("SELECT relname FROM pg_class WHERE relnamespace = @s::regnamespace AND relkind = 'r' ORDER BY relname", conn))
        {
            cmd.Parameters.AddWithValue("s", schema);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        }
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var cmd = new NpgsqlCommand(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM \"{schema}\".\"{table}\" t", conn);
            result[table] = (string)(await cmd.ExecuteScalarAsync())!;
        }
        return result;
    }

    /// <summary>Every object in the schema and who owns it.</summary>
    public static async Task<List<string>> OwnersAsync(PressDatabase db, string schema)
    {
        await using var conn = await Catalog.OpenSchemaHomeAsync(db, schema);
        await using var cmd = new NpgsqlCommand("""
            SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace = @s::regnamespace
            UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE pronamespace = @s::regnamespace
            UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = @s
            """, conn);
        cmd.Parameters.AddWithValue("s", schema);
        var owners = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) owners.Add(r.GetString(0));
        return owners;
    }

    /// <summary>Schemas of the sites database whose name starts with the site's identifier (the live one and whatever a
    /// restore keeps beside it).</summary>
    public static async Task<List<string>> SchemasAsync(PressDatabase db, string schema)
    {
        await using var conn = await Catalog.OpenSchemaHomeAsync(db, schema);
        await using var cmd = new NpgsqlCommand("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, @s) ORDER BY nspname", conn);
        cmd.Parameters.AddWithValue("s", schema);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    public static async Task ChangeAsync(PressDatabase db, string schema)
    {
        await using var conn = await Catalog.OpenSchemaHomeAsync(db, schema);
        await Exec(conn, $"SET ROLE \"{schema}\"");
        await Exec(conn, $"""
            DELETE FROM "{schema}"."tabComment" WHERE id % 3 = 0;
            UPDATE "{schema}"."tabItem" SET title = 'changed after the backup' WHERE idx % 5 = 0;
            CREATE TABLE "{schema}"."tabNewer" (x int);
            INSERT INTO "{schema}"."tabNewer" VALUES (1), (2);
            """);
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
