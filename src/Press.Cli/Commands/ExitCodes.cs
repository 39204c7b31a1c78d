namespace Press.Cli.Commands;

/// <summary>Process exit codes; documented in README.md, so treat them as API.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The server answered with a non-2xx status, or a followed job ended Failed/Cancelled.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or missing configuration: nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>No HTTP answer at all (connection refused, DNS, TLS, timeout).</summary>
    public const int Unreachable = 3;

    /// <summary>Ctrl+C, following the shell convention 128 + SIGINT.</summary>
    public const int Interrupted = 130;
}
