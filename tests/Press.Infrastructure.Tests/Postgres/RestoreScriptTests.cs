using Press.Infrastructure.Postgres.Archive;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>What psql runs around pg_restore's SQL, exactly: the settings, the transaction, the role, the mark.</summary>
public sealed class RestoreScriptTests
{
    [Fact]
    public void The_last_transaction_sets_the_sort_memory_takes_the_site_role_and_marks_the_schema()
    {
        var script = RestoreScript.For("t_new", "t_role\"x", maintenanceWorkMemMb: 256);

        Assert.Equal("SET client_min_messages = warning;\nSET maintenance_work_mem = '256MB';\nBEGIN;\nSET ROLE \"t_role\"\"x\";\n", script.Prologue);
        Assert.Equal("\nCOMMENT ON SCHEMA \"t_new\" IS 'press: restore complete';\nCOMMIT;\n", script.Epilogue);
    }

    [Fact]
    public void An_index_builder_runs_each_statement_on_its_own_and_zero_memory_keeps_the_servers_setting()
    {
        var script = RestoreScript.EachStatement("t_role", maintenanceWorkMemMb: 0);

        Assert.Equal("SET client_min_messages = warning;\nSET ROLE \"t_role\";\n", script.Prologue);
        Assert.Equal("\n", script.Epilogue);
        Assert.Equal("\nCOMMIT;\n", RestoreScript.Phase("t_role", 64).Epilogue);
    }
}
