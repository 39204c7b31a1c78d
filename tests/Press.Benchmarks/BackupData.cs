using System.Globalization;

namespace Press.Benchmarks;

/// <summary>
/// The backup benchmark's data: ERPNext-like tables with mixed types (varchar keys, text, jsonb, numeric, timestamptz,
/// date, bytea that is partly random and partly repetitive), filled with INSERT … SELECT generate_series; and the DDL
/// of an ERPNext-sized schema (750 small tab* tables with a primary key and two indexes each).
/// </summary>
internal static class BackupData
{
    public const string Tables = """
        CREATE TABLE "tabSales Invoice" (name varchar(140) PRIMARY KEY, creation timestamptz NOT NULL, modified timestamptz NOT NULL,
            owner varchar(140), docstatus smallint NOT NULL DEFAULT 0, customer varchar(140), posting_date date,
            grand_total numeric(21,9), outstanding_amount numeric(21,9), status varchar(140), remarks text, taxes jsonb);
        CREATE INDEX ON "tabSales Invoice" (modified);
        CREATE TABLE "tabSales Invoice Item" (name varchar(140) PRIMARY KEY, parent varchar(140) NOT NULL, idx int NOT NULL,
            item_code varchar(140), description text, qty numeric(21,9), rate numeric(21,9), amount numeric(21,9), creation timestamptz);
        CREATE INDEX ON "tabSales Invoice Item" (parent);
        CREATE TABLE "tabFile" (name varchar(140) PRIMARY KEY, file_name varchar(140), attached_to_name varchar(140),
            content bytea, file_size bigint, creation timestamptz);
        """;

    public static string Insert(long from, long to)
    {
        var range = string.Create(CultureInfo.InvariantCulture, $"generate_series({from}::bigint, {to}::bigint)");
        return $"""
            INSERT INTO "tabSales Invoice"
            SELECT 'ACC-SINV-' || lpad(i::text, 9, '0'), ts, ts + interval '1 hour', 'user' || (i % 50) || '@example.com', (i % 3)::smallint,
                   'CUST-' || (i % 5000), ts::date, round((random() * 100000)::numeric, 2), round((random() * 1000)::numeric, 2),
                   (ARRAY['Paid', 'Unpaid', 'Overdue', 'Return'])[1 + i % 4],
                   'Invoice ' || i || ' for order ' || md5(i::text) || repeat(' as agreed', (i % 8)::int),
                   jsonb_build_object('currency', 'EUR', 'taxes', jsonb_build_array(
                       jsonb_build_object('account', 'VAT - ' || (i % 7), 'rate', 19, 'amount', round((random() * 1000)::numeric, 2)),
                       jsonb_build_object('account', 'Freight', 'amount', round((random() * 50)::numeric, 2))), 'ref', md5((i * 7)::text))
            FROM {range} i, LATERAL (SELECT timestamptz '2024-01-01' + i * interval '13 seconds' AS ts) t;
            INSERT INTO "tabSales Invoice Item"
            SELECT 'SINV-ITEM-' || i || '-' || k, 'ACC-SINV-' || lpad(i::text, 9, '0'), k, 'ITEM-' || ((i * k) % 20000),
                   'Item ' || ((i * k) % 20000) || ': ' || md5((i * k)::text), k * 1.5, round((random() * 500)::numeric, 2),
                   round((random() * 2000)::numeric, 2), timestamptz '2024-01-01' + i * interval '13 seconds'
            FROM {range} i, generate_series(1, 4) k;
            INSERT INTO "tabFile"
            SELECT 'FILE-' || i, 'scan-' || i || '.pdf', 'ACC-SINV-' || lpad(i::text, 9, '0'),
                   sha512(int8send(i)) || sha512(int8send(-i)) || sha512(int8send(i + 4294967296)) || sha512(int8send(i * 3))
                   || decode(repeat('255044462d312e370a25e2e3cfd30a', 40), 'hex'),
                   856, timestamptz '2024-01-01' + i * interval '13 seconds'
            FROM {range} i WHERE i % 5 = 0;
            """;
    }

    /// <summary><paramref name="tables"/> tab* tables (16 columns, varchar primary key, two more indexes; ERPNext has about
    /// 750) in <paramref name="schema"/>, in one DO block; <paramref name="create"/> also creates the schema.</summary>
    public static string ErpTables(string schema, bool create, int tables) => $$"""
        DO $bench$
        DECLARE s text := '{{schema}}'; t text;
        BEGIN
          {{(create ? "EXECUTE format('CREATE SCHEMA %I', s);" : "")}}
          FOR i IN 1..{{tables}} LOOP
            t := 'tabDocType ' || i;
            EXECUTE format('CREATE TABLE %I.%I (name varchar(140) PRIMARY KEY, creation timestamp(6), modified timestamp(6),
                modified_by varchar(140), owner varchar(140), docstatus smallint NOT NULL DEFAULT 0, idx int NOT NULL DEFAULT 0,
                parent varchar(140), parentfield varchar(140), parenttype varchar(140), title varchar(140), status varchar(140),
                amount numeric(21,9), data text, _user_tags text, _comments text)', s, t);
            EXECUTE format('CREATE INDEX ON %I.%I (modified)', s, t);
            EXECUTE format('CREATE INDEX ON %I.%I (parent)', s, t);
          END LOOP;
        END $bench$;
        """;
}
