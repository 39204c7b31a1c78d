using Npgsql;
using Press.FrappeDouble.Cli;

// Entry point of the Frappe test double: `bench …` inside its image, or run directly from a bench folder.
// Exit codes follow click/bench: 0 ok, 1 command failed, 2 usage error.
try
{
    return await BenchCommand.RunAsync(args, Environment.CurrentDirectory);
}
catch (BenchException e)
{
    Console.Error.WriteLine(e.Message);
    return e.ExitCode;
}
catch (NpgsqlException e)
{
    // Real bench prints the driver's error and exits 1; Press surfaces it in the job log.
    Console.Error.WriteLine($"frappe-test-double: database error: {e.Message}");
    return 1;
}
catch (UnauthorizedAccessException e)
{
    // Typical in a container: the sites volume belongs to another uid than the image's user (frappe, 1000).
    Console.Error.WriteLine($"frappe-test-double: permission denied as user {Environment.UserName}: {e.Message}");
    return 1;
}
catch (Exception e)
{
    // Like a Python traceback from bench: the whole exception, exit 1 (never a crash dump, exit 134).
    Console.Error.WriteLine($"frappe-test-double: {e}");
    return 1;
}
