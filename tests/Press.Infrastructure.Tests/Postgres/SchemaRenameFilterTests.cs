using System.Text;
using Press.Infrastructure.Postgres.Archive;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>The dump schema's name is rewritten in pg_restore's SQL, whole words only, never inside rows.</summary>
public sealed class SchemaRenameFilterTests
{
    private const string From = "t_aaaaaaaaaaaaaaaaaaaa";
    private const string To = "t_aaaaaaaaaaaaaaaaaaaa_r0123456789ab";

    private static async Task<string> RunAsync(string sql, int chunk = 1 << 16)
    {
        var output = new MemoryStream();
        await SchemaRenameFilter.CopyAsync(new ChunkedStream(Encoding.UTF8.GetBytes(sql), chunk), output, From, To, CancellationToken.None);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task Sql_is_rewritten_and_rows_pass_through_unchanged()
    {
        var sql = $"""
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE TABLE {From}."tabItem" (name text, note text);
            CREATE FUNCTION {From}.total() RETURNS bigint
                LANGUAGE sql
                AS $$SELECT count(*) FROM {From}."tabItem"$$;
            COPY {From}."tabItem" (name, note) FROM stdin;
            {From}	mentions {From}.x and "{From}"
            \\N	line with a tab\there
            \.
            ALTER TABLE ONLY {From}."tabItem" ADD CONSTRAINT "tabItem_pkey" PRIMARY KEY (name);
            -- Name: tabItem; Type: TABLE; Schema: {From}; Owner: -
            CREATE VIEW {From}.v AS SELECT '{From}'::text AS s, {From}_other.x FROM x{From};
            """;
        var expected = $"""
            SELECT pg_catalog.set_config('search_path', '', false);
            CREATE TABLE {To}."tabItem" (name text, note text);
            CREATE FUNCTION {To}.total() RETURNS bigint
                LANGUAGE sql
                AS $$SELECT count(*) FROM {To}."tabItem"$$;
            COPY {To}."tabItem" (name, note) FROM stdin;
            {From}	mentions {From}.x and "{From}"
            \\N	line with a tab\there
            \.
            ALTER TABLE ONLY {To}."tabItem" ADD CONSTRAINT "tabItem_pkey" PRIMARY KEY (name);
            -- Name: tabItem; Type: TABLE; Schema: {To}; Owner: -
            CREATE VIEW {To}.v AS SELECT '{To}'::text AS s, {From}_other.x FROM x{From};
            """;
        Assert.Equal(expected, await RunAsync(sql));
        Assert.Equal(expected, await RunAsync(sql, chunk: 1)); // a line split over any number of reads
        Assert.Equal(expected + "\n", await RunAsync(sql + "\n", chunk: 7));
    }

    [Fact]
    public async Task A_row_equal_to_the_end_marker_only_when_escaped_ends_nothing()
    {
        // In COPY text a row's own backslash is doubled, so "\\." is data; only a bare "\." ends the rows.
        var sql = $"COPY {From}.t (a) FROM stdin;\n\\\\.\n{From}\n\\.\nDROP TABLE {From}.t;\n";
        Assert.Equal($"COPY {To}.t (a) FROM stdin;\n\\\\.\n{From}\n\\.\nDROP TABLE {To}.t;\n", await RunAsync(sql));
    }

    [Fact]
    public async Task Names_that_would_need_quoting_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            SchemaRenameFilter.CopyAsync(new MemoryStream(), new MemoryStream(), "Bad\"Name", To, CancellationToken.None));
    }

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
