using System.Text;
using Press.Infrastructure.Postgres.Archive;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>
/// The dump schema's name is rewritten in pg_restore's SQL, whole words only, never inside rows: to where objects are
/// created now in statements and their literals, to the name the site runs under in function bodies.
/// </summary>
public sealed class SchemaRenameFilterTests
{
    private const string From = "t_aaaaaaaaaaaaaaaaaaaa";
    private const string To = "t_aaaaaaaaaaaaaaaaaaaa_r0123456789ab";
    private const string Other = "t_bbbbbbbbbbbbbbbbbbbb";

    private static async Task<string> RunAsync(string sql, string live = From, int chunk = 1 << 16)
    {
        var output = new MemoryStream();
        await new SchemaRenameFilter(From, To, live).CopyAsync(new ChunkedStream(Encoding.UTF8.GetBytes(sql), chunk), output, CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static readonly string Dump = $"""
        SELECT pg_catalog.set_config('search_path', '', false);
        CREATE TABLE {From}."tabItem" (name text, note text, n bigint DEFAULT nextval('{From}.n_seq'::regclass));
        CREATE FUNCTION {From}.total() RETURNS bigint
            LANGUAGE sql
            AS $$SELECT count(*) FROM {From}."tabItem"$$;
        CREATE FUNCTION {From}.f(integer) RETURNS text
            LANGUAGE plpgsql
            AS $_$ BEGIN RETURN '$$' || $1 || '{From}'; -- {From}
        END $_$;
        COPY {From}."tabItem" (name, note) FROM stdin;
        {From}	mentions {From}.x and "{From}" and $$ {From}
        \N	line with a tab\there
        \.
        ALTER TABLE ONLY {From}."tabItem" ADD CONSTRAINT "tabItem_pkey" PRIMARY KEY (name);
        -- Name: tabItem; Type: TABLE; Schema: {From}; Owner: - $$ {From}
        COMMENT ON TABLE {From}."tabItem" IS 'two
        lines, $$ {From} and it''s {From}';
        CREATE VIEW {From}.v AS SELECT '{From}'::text AS s, {From}_other.x, a$$b.{From}, E'\'$$' AS e FROM x{From}, {Other}.t;
        """;

    [Fact]
    public async Task In_place_statements_go_to_the_fresh_schema_and_bodies_keep_the_live_name()
    {
        var expected = $"""
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE TABLE {To}."tabItem" (name text, note text, n bigint DEFAULT nextval('{To}.n_seq'::regclass));
            CREATE FUNCTION {To}.total() RETURNS bigint
                LANGUAGE sql
                AS $$SELECT count(*) FROM {From}."tabItem"$$;
            CREATE FUNCTION {To}.f(integer) RETURNS text
                LANGUAGE plpgsql
                AS $_$ BEGIN RETURN '$$' || $1 || '{From}'; -- {From}
            END $_$;
            COPY {To}."tabItem" (name, note) FROM stdin;
            {From}	mentions {From}.x and "{From}" and $$ {From}
            \N	line with a tab\there
            \.
            ALTER TABLE ONLY {To}."tabItem" ADD CONSTRAINT "tabItem_pkey" PRIMARY KEY (name);
            -- Name: tabItem; Type: TABLE; Schema: {To}; Owner: - $$ {To}
            COMMENT ON TABLE {To}."tabItem" IS 'two
            lines, $$ {To} and it''s {To}';
            CREATE VIEW {To}.v AS SELECT '{To}'::text AS s, {From}_other.x, a$$b.{To}, E'\'$$' AS e FROM x{From}, {Other}.t;
            """;
        Assert.Equal(expected, await RunAsync(Dump));
        Assert.Equal(expected, await RunAsync(Dump, chunk: 1)); // a line split over any number of reads
        Assert.Equal(expected + "\n", await RunAsync(Dump + "\n", chunk: 7));
    }

    [Fact]
    public async Task For_a_new_site_bodies_follow_the_restore_too()
    {
        var output = await RunAsync(Dump, live: To);
        Assert.Contains($"AS $$SELECT count(*) FROM {To}.\"tabItem\"$$;", output, StringComparison.Ordinal);
        Assert.Contains($"RETURN '$$' || $1 || '{To}'; -- {To}", output, StringComparison.Ordinal);
        Assert.Contains($"{From}\tmentions {From}.x", output, StringComparison.Ordinal); // rows stay as they were
        Assert.DoesNotContain($" {From}.", output.Replace($"{From}\tmentions {From}.x", ""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_bare_end_marker_ends_the_rows()
    {
        // In COPY text a row's own backslash is doubled, so "\\." is data; only a bare "\." ends the rows.
        var sql = $"COPY {From}.t (a) FROM stdin;\n\\\\.\n{From}\n\\.\nDROP TABLE {From}.t;\n";
        Assert.Equal($"COPY {To}.t (a) FROM stdin;\n\\\\.\n{From}\n\\.\nDROP TABLE {To}.t;\n", await RunAsync(sql));
    }

    [Fact]
    public async Task A_COPY_header_inside_a_body_or_literal_starts_no_rows()
    {
        var sql = $"CREATE FUNCTION {From}.g() RETURNS void LANGUAGE sql AS $$\nCOPY {From}.t (a) FROM stdin;\n$$;\nDROP TABLE {From}.t;\n";
        Assert.Equal($"CREATE FUNCTION {To}.g() RETURNS void LANGUAGE sql AS $$\nCOPY {From}.t (a) FROM stdin;\n$$;\nDROP TABLE {To}.t;\n",
            await RunAsync(sql));
    }

    [Fact]
    public void Names_that_would_need_quoting_are_refused() =>
        Assert.Throws<ArgumentException>(() => new SchemaRenameFilter("Bad\"Name", To, From));

    private sealed class ChunkedStream(byte[] data, int chunk) : Stream
    {
        private int _at;

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, chunk), data.Length - _at);
            Array.Copy(data, _at, buffer, offset, n);
            _at += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
